//! Where a statement stands.

crate::db::text_enum! {
    /// Where a statement stands. Only `approved` ones are public.
    pub enum StatementState {
        Pending = "pending",
        Approved = "approved",
        Rejected = "rejected",
    }
}

impl StatementState {
    pub fn label(self) -> &'static str {
        match self {
            StatementState::Pending => "Awaiting a decision",
            StatementState::Approved => "Approved (public)",
            StatementState::Rejected => "Rejected",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn states_read_back_only_known_values() {
        for state in StatementState::ALL {
            assert_eq!(StatementState::parse(state.as_str()), Some(*state));
        }
        assert_eq!(StatementState::parse("withdrawn"), None);
    }
}
