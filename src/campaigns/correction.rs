//! Whether a new text of a signed letter changes no word, so that it may be saved as a
//! **correction**, without telling anyone (docs/signatures.md, "Corrections"). The rule is
//! deliberately narrow: a signer's consent is carried to a correction only because the
//! words they agreed to are all still there, in the same order.
//!
//! - The words of a text are its maximal runs of letters and digits (Unicode); everything
//!   else (punctuation, spaces, line breaks, Markdown marks such as `*` or `#`) is not a
//!   word. "Don't" is two words, "don" and "t".
//! - Both texts have the same number of words, and the words are compared in order.
//! - Each word is the same, or differs only in its capitals (both spellings at least
//!   `MIN_FIXABLE_LENGTH` characters), or it is a typo fixed: it has no digit, both
//!   spellings have at least `MIN_FIXABLE_LENGTH` characters, they are at most one edit
//!   apart (a letter added, removed, replaced, or two neighbours swapped), two for words
//!   of `LONG_WORD` characters or more, **the old spelling is not an English word and the
//!   new one is** (`english_words.txt`, SCOWL as Debian ships it).
//! - At most `MAX_FIXES` words are fixed in one save.
//!
//! Numbers never change (50 and 500 are one edit apart), nor short words ("not" and
//! "now" are too). The word list is what keeps a real word from becoming another real
//! word a letter or two away ("increase" → "decrease", "untied" → "united", "clean" →
//! "clear"): a signer agreed to the word, so only a misspelling may be fixed silently. A
//! text in another language has no misspellings this check can recognize, so its fixes
//! go through the minor change, which tells every signer.

/// Words shorter than this must stay exactly as they were.
pub const MIN_FIXABLE_LENGTH: usize = 4;
/// Words this long may be two edits from their fix.
pub const LONG_WORD: usize = 8;
/// Words one correction may fix; beyond that it is rewriting.
pub const MAX_FIXES: usize = 5;

/// One word spelled differently.
#[derive(Clone, Debug, PartialEq)]
pub struct WordFix {
    pub from: String,
    pub to: String,
}

/// What a new text is to the old one, word by word.
#[derive(Clone, Debug, PartialEq)]
pub enum Verdict {
    /// No word changed beyond the typos fixed (possibly none: punctuation, spacing or
    /// formatting only).
    Correction { fixes: Vec<WordFix> },
    /// Some word changed: why, in a sentence an organizer reads.
    ChangesWords { reason: String },
}

impl Verdict {
    pub fn is_correction(&self) -> bool {
        matches!(self, Verdict::Correction { .. })
    }

    /// The typos fixed, if no word changed otherwise.
    pub fn fixes(&self) -> Option<&[WordFix]> {
        match self {
            Verdict::Correction { fixes } => Some(fixes),
            Verdict::ChangesWords { .. } => None,
        }
    }

    /// Why some word changed, if one did.
    pub fn reason(&self) -> Option<&str> {
        match self {
            Verdict::Correction { .. } => None,
            Verdict::ChangesWords { reason } => Some(reason),
        }
    }
}

fn words(text: &str) -> Vec<&str> {
    text.split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .collect()
}

/// Edits between two words: insertions, deletions, substitutions and swaps of two
/// neighbouring characters (the optimal string alignment distance), by character.
fn edits(a: &str, b: &str) -> usize {
    let (a, b): (Vec<char>, Vec<char>) = (a.chars().collect(), b.chars().collect());
    let mut d = vec![vec![0usize; b.len() + 1]; a.len() + 1];
    for (i, row) in d.iter_mut().enumerate() {
        row[0] = i;
    }
    for (j, cell) in d[0].iter_mut().enumerate() {
        *cell = j;
    }
    for i in 1..=a.len() {
        for j in 1..=b.len() {
            let cost = usize::from(a[i - 1] != b[j - 1]);
            let mut best = (d[i - 1][j] + 1)
                .min(d[i][j - 1] + 1)
                .min(d[i - 1][j - 1] + cost);
            if i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] {
                best = best.min(d[i - 2][j - 2] + 1);
            }
            d[i][j] = best;
        }
    }
    d[a.len()][b.len()]
}

/// Why `from` → `to` is not a typo fix, if it is not.
fn not_a_typo(from: &str, to: &str) -> Option<String> {
    if from.chars().any(|c| c.is_numeric()) || to.chars().any(|c| c.is_numeric()) {
        return Some(format!(
            "“{from}” became “{to}”: numbers must stay exactly as they were."
        ));
    }
    let shorter = from.chars().count().min(to.chars().count());
    if shorter < MIN_FIXABLE_LENGTH {
        return Some(format!(
            "“{from}” became “{to}”: a word of {} letters or fewer must stay exactly as it was (one letter can turn “not” into “now”).",
            MIN_FIXABLE_LENGTH - 1
        ));
    }
    if from.to_lowercase() == to.to_lowercase() {
        return None;
    }
    let longer = from.chars().count().max(to.chars().count());
    let allowed = if longer >= LONG_WORD { 2 } else { 1 };
    if edits(from, to) > allowed {
        return Some(format!(
            "“{from}” became “{to}”: that is more than a typo (at most {allowed} letter{} may change in a word of that length).",
            if allowed == 1 { "" } else { "s" }
        ));
    }
    if is_english_word(from) {
        return Some(format!(
            "“{from}” became “{to}”: “{from}” is a word in its own right, and signers agreed to it. Only a misspelling can be fixed without telling them."
        ));
    }
    if !is_english_word(to) {
        return Some(format!(
            "“{from}” became “{to}”: “{to}” is not in the English word list this check uses, so the change cannot be told apart from a change of wording."
        ));
    }
    None
}

/// SCOWL's English words (American and British spellings), lower case, sorted
/// (`english_words.COPYRIGHT`).
static ENGLISH_WORDS: &str = include_str!("english_words.txt");

fn is_english_word(word: &str) -> bool {
    static SORTED: std::sync::LazyLock<Vec<&'static str>> =
        std::sync::LazyLock::new(|| ENGLISH_WORDS.lines().collect());
    SORTED.binary_search(&word.to_lowercase().as_str()).is_ok()
}

/// A few words around position `at`, to say where a change is.
fn near(words: &[&str], at: usize) -> String {
    let start = at.saturating_sub(3);
    let end = (at + 4).min(words.len());
    words[start..end].join(" ")
}

/// Whether `after` changes no word of `before` (see the module's rule).
pub fn judge(before: &str, after: &str) -> Verdict {
    let (old, new) = (words(before), words(after));
    if old.len() != new.len() {
        let at = old
            .iter()
            .zip(&new)
            .position(|(a, b)| a != b)
            .unwrap_or(old.len().min(new.len()));
        let (more, fewer) = if new.len() > old.len() {
            ("added", new.len() - old.len())
        } else {
            ("removed", old.len() - new.len())
        };
        let context = if new.len() > old.len() {
            near(&new, at)
        } else {
            near(&old, at)
        };
        return Verdict::ChangesWords {
            reason: format!(
                "{fewer} word{} {} (first near “{context}”).",
                if fewer == 1 { " was" } else { "s were" },
                more
            ),
        };
    }
    let mut fixes = Vec::new();
    for (from, to) in old.iter().zip(&new) {
        if from == to {
            continue;
        }
        if let Some(reason) = not_a_typo(from, to) {
            return Verdict::ChangesWords { reason };
        }
        fixes.push(WordFix {
            from: (*from).to_owned(),
            to: (*to).to_owned(),
        });
    }
    if fixes.len() > MAX_FIXES {
        return Verdict::ChangesWords {
            reason: format!(
                "{} words are spelled differently; a correction fixes at most {MAX_FIXES}.",
                fixes.len()
            ),
        };
    }
    Verdict::Correction { fixes }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fixes(before: &str, after: &str) -> Vec<(String, String)> {
        match judge(before, after) {
            Verdict::Correction { fixes } => fixes.into_iter().map(|f| (f.from, f.to)).collect(),
            Verdict::ChangesWords { reason } => panic!("refused: {reason}"),
        }
    }

    fn refused(before: &str, after: &str) -> String {
        match judge(before, after) {
            Verdict::ChangesWords { reason } => reason,
            Verdict::Correction { .. } => {
                panic!("{before:?} → {after:?} was taken as a correction")
            }
        }
    }

    #[test]
    fn punctuation_spacing_and_formatting_change_no_word() {
        let before = "# Dear Mayor\n\nWe ask you to keep the river clean.\n\nSincerely,";
        assert!(fixes(
            before,
            "# Dear Mayor,\n\nWe ask you  to keep the *river* clean!\n\n\nSincerely"
        )
        .is_empty());
        assert!(fixes(
            before,
            "## Dear Mayor\n\n- We ask you to keep the river clean.\n\nSincerely,"
        )
        .is_empty());
    }

    #[test]
    fn a_typo_inside_a_longer_word_may_be_fixed() {
        assert_eq!(
            fixes(
                "We recieve the goverment letter.",
                "We receive the government letter."
            ),
            [
                ("recieve".into(), "receive".into()),
                ("goverment".into(), "government".into())
            ]
        );
        assert_eq!(fixes("the mayor said", "the Mayor said").len(), 1);
        assert_eq!(
            fixes("a seperately funded plan", "a separately funded plan").len(),
            1
        );
    }

    #[test]
    fn any_change_of_meaning_by_words_is_refused() {
        assert!(refused("We do not support it.", "We do now support it.")
            .contains("“not” became “now”"));
        assert!(refused("Give $50 each.", "Give $500 each.").contains("numbers"));
        assert!(refused("keep the river clean", "keep the river very clean")
            .contains("1 word was added"));
        assert!(refused("keep the river very clean", "keep the river clean")
            .contains("1 word was removed"));
        assert!(refused("We ask you", "You ask we").contains("became"));
        assert!(refused("we oppose the plan", "we endorse the plan").contains("more than a typo"));
        assert!(refused("We can help", "We can't help").contains("added"));
        assert!(refused("the committee", "the commission").contains("more than a typo"));
        let many = "alpah bravp charlei deltaa echoos foxtrott";
        assert!(refused(many, "alpha bravo charlie delta echoes foxtrot").contains("at most 5"));
    }

    #[test]
    fn a_real_word_never_becomes_another_silently() {
        for (from, to) in [
            ("increase", "decrease"),
            ("untied", "united"),
            ("clean", "clear"),
            ("trail", "trial"),
            ("causal", "casual"),
        ] {
            let reason = refused(
                &format!("we ask you to {from} it"),
                &format!("we ask you to {to} it"),
            );
            assert!(
                reason.contains("a word in its own right"),
                "{from}: {reason}"
            );
        }
        assert!(refused("a cleen river", "a cleem river").contains("not in the English word list"));
        assert!(refused("un río limpo", "un río limpio").contains("not in the English word list"));
        assert!(
            fixes("the mayor said", "the MAYOR said").len() == 1,
            "capitals only"
        );
    }

    #[test]
    fn edits_count_a_swap_of_neighbours_as_one() {
        assert_eq!(edits("recieve", "receive"), 1);
        assert_eq!(edits("form", "from"), 1);
        assert_eq!(edits("kitten", "sitting"), 3);
        assert_eq!(edits("", "abc"), 3);
    }
}
