//! Line diffs between two revisions of a letter, bounded in size and time (shown to
//! organizers, and to signers when a text they confirmed changes).

use crate::error::{AppError, AppResult};

/// One line of a diff between two revisions.
pub struct DiffLine {
    pub change: &'static str,
    pub text: String,
}

pub fn diff_lines(old: &str, new: &str) -> Vec<DiffLine> {
    diff_within(old, new, DIFF_TIMEOUT).lines
}

/// A line diff may take this long; then the comparison is summarized instead.
pub const DIFF_TIMEOUT: std::time::Duration = std::time::Duration::from_millis(500);
/// Revisions with more lines than this (both together) are summarized, not diffed.
pub const MAX_DIFF_LINES: usize = 20_000;

/// The changes between two revisions, or a summary when they are too large or too
/// different to compare line by line within the time limit.
pub struct Comparison {
    pub lines: Vec<DiffLine>,
    pub summary: Option<String>,
}

fn diff_within(old: &str, new: &str, timeout: std::time::Duration) -> Comparison {
    let (old_lines, new_lines) = (old.lines().count(), new.lines().count());
    let too_big = |why: &str| {
        Comparison {
        lines: Vec::new(),
        summary: Some(format!(
            "{why} Revision sizes: {old_lines} lines before, {new_lines} lines after. Open each revision to read it whole."
        )),
    }
    };
    if old_lines + new_lines > MAX_DIFF_LINES {
        return too_big("These revisions are too long to compare line by line here.");
    }
    let started = std::time::Instant::now();
    let diff = similar::TextDiff::configure()
        .timeout(timeout)
        .diff_lines(old, new);
    if started.elapsed() >= timeout {
        return too_big("These revisions differ too much to compare line by line quickly.");
    }
    let lines = diff
        .iter_all_changes()
        .map(|change| DiffLine {
            change: match change.tag() {
                similar::ChangeTag::Delete => "removed",
                similar::ChangeTag::Insert => "added",
                similar::ChangeTag::Equal => "same",
            },
            text: change.value().trim_end_matches('\n').to_owned(),
        })
        .collect();
    Comparison {
        lines,
        summary: None,
    }
}

/// Compares two revisions off the async runtime, within `DIFF_TIMEOUT`: a request for a
/// huge diff must not hold the threads that answer everyone else.
pub async fn compare(old: String, new: String) -> AppResult<Comparison> {
    tokio::task::spawn_blocking(move || diff_within(&old, &new, DIFF_TIMEOUT))
        .await
        .map_err(|e| AppError::Internal(e.into()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn huge_or_slow_diffs_are_summarized() {
        let a = "a\n".repeat(50_000);
        let b = "b\n".repeat(50_000);
        let big = diff_within(&a, &b, DIFF_TIMEOUT);
        assert!(big.lines.is_empty());
        assert!(big.summary.unwrap().contains("too long"));
        let (a, b) = ("a\n".repeat(9_000), "b\n".repeat(9_000));
        let slow = diff_within(&a, &b, std::time::Duration::ZERO);
        assert!(slow.summary.unwrap().contains("differ too much"));
    }

    #[test]
    fn diffs_mark_added_and_removed_lines() {
        let lines = diff_lines("a\nb\n", "a\nc\n");
        let tags: Vec<&str> = lines.iter().map(|l| l.change).collect();
        assert_eq!(tags, ["same", "removed", "added"]);
    }
}
