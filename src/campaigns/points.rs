//! The points of unity: the principles every signer agrees to.

pub const MAX_POINTS: usize = 3;
pub const MAX_POINT_LENGTH: usize = 500;

/// One to three points of unity, never more.
pub fn parse_points(raw: &[String]) -> Result<Vec<String>, String> {
    let points: Vec<String> = raw
        .iter()
        .map(|p| p.trim().to_owned())
        .filter(|p| !p.is_empty())
        .collect();
    if points.is_empty() {
        return Err(
            "Write at least one point of unity: the principle every signer agrees to.".into(),
        );
    }
    if points.len() > MAX_POINTS {
        return Err(format!(
            "Keep it to at most three points of unity (you wrote {}). Fewer, broader principles attract larger coalitions.",
            points.len()
        ));
    }
    if points.iter().any(|p| p.chars().count() > MAX_POINT_LENGTH) {
        return Err("Keep each point under 500 characters.".into());
    }
    Ok(points)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_to_three_points() {
        assert!(parse_points(&["".into()]).is_err());
        assert_eq!(
            parse_points(&[" Clean water ".into(), "".into()]).unwrap(),
            vec!["Clean water"]
        );
        let four: Vec<String> = (1..=4).map(|n| format!("point {n}")).collect();
        assert!(parse_points(&four).unwrap_err().contains("at most three"));
    }
}
