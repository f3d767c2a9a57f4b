//! An organization's reach, as organizers set it on a prospect.

crate::db::text_enum! {
    /// An organization's reach; national and international ones are approached early,
    /// since they take longest to decide.
    pub enum Size {
        Local = "local",
        Regional = "regional",
        National = "national",
        International = "international",
    }
}

impl Size {
    pub fn label(self) -> &'static str {
        match self {
            Size::Local => "Local",
            Size::Regional => "Regional",
            Size::National => "National",
            Size::International => "International",
        }
    }

    pub fn approach_early(self) -> bool {
        matches!(self, Size::National | Size::International)
    }
}
