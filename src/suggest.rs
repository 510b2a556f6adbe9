//! "Did you mean ...?": the closest known name to a misspelt one.

/// Longest input, in characters, that gets a suggestion: names are short, and
/// edit distance costs the product of the two lengths.
const MAX_INPUT: usize = 64;

/// The candidate closest to `input`, if it is close enough to be a likely
/// misspelling. Ties go to the alphabetically first candidate, so the answer
/// does not depend on the order candidates come in (a hash map's, say).
pub fn closest<'a>(input: &str, candidates: impl IntoIterator<Item = &'a str>) -> Option<&'a str> {
    let len = input.chars().count();
    if len > MAX_INPUT {
        return None;
    }
    let input_l = input.to_lowercase();
    let squeezed = squeeze(&input_l);
    let limit = 2 + 2 * (len / 3).max(1);
    let mut best: Option<(usize, &str)> = None;
    for cand in candidates {
        let cand_l = cand.to_lowercase();
        // Same letters and digits, other punctuation (`CC61` for `CC6.1`): the best hint there is.
        let score = if !squeezed.is_empty() && squeeze(&cand_l) == squeezed {
            0
        } else if input_l.len() >= 3 && cand_l.starts_with(&input_l) {
            1
        } else {
            // The distance is at least the difference in length: skip what cannot win.
            let floor = 2 + 2 * len.abs_diff(cand_l.chars().count());
            if floor > limit || best.is_some_and(|(b, _)| floor > b) {
                continue;
            }
            2 + 2 * strsim::damerau_levenshtein(&input_l, &cand_l)
        };
        if best.is_none_or(|(b, c)| (score, cand) < (b, c)) {
            best = Some((score, cand));
        }
    }
    best.filter(|&(score, cand)| score <= limit && !cand.eq_ignore_ascii_case(input)).map(|(_, c)| c)
}

/// Suggestions the errors of a file (or a load) may compute: each costs a pass
/// over every candidate, so thousands of unknown ids would cost their product.
/// Past the budget, errors come without a suggestion.
#[derive(Debug, Clone)]
pub struct Budget {
    left: usize,
}

impl Budget {
    /// Suggestions for the first errors of a file or a load.
    pub const PER_FILE: usize = 50;

    pub fn new(suggestions: usize) -> Budget {
        Budget { left: suggestions }
    }

    /// [`closest`], while the budget lasts.
    pub fn closest<'a>(&mut self, input: &str, candidates: impl IntoIterator<Item = &'a str>) -> Option<&'a str> {
        self.left = self.left.checked_sub(1)?;
        closest(input, candidates)
    }
}

impl Default for Budget {
    fn default() -> Budget {
        Budget::new(Budget::PER_FILE)
    }
}

fn squeeze(s: &str) -> String {
    s.chars().filter(|c| c.is_alphanumeric()).collect()
}

#[cfg(test)]
mod tests {
    use super::closest;

    #[test]
    fn suggests_near_names_only() {
        assert_eq!(closest("CC61", ["CC6.1", "CC6.2", "CC1.6"]), Some("CC6.1"));
        assert_eq!(closest("iso2701", ["csf", "iso27001", "soc2"]), Some("iso27001"));
        assert_eq!(closest("overlaps", ["equal", "subset-of", "superset-of", "intersects-with"]), None);
        assert_eq!(closest("subset", ["equal", "subset-of", "superset-of", "intersects-with"]), Some("subset-of"));
        assert_eq!(closest("zzzz", ["csf", "soc2"]), None);
    }

    #[test]
    fn ties_go_to_the_alphabetically_first_whatever_the_order() {
        assert_eq!(closest("minx", ["mine", "mink", "mint"]), Some("mine"));
        assert_eq!(closest("minx", ["mint", "mink", "mine"]), Some("mine"));
    }

    #[test]
    fn a_long_input_costs_nothing() {
        let long = "a".repeat(80_000);
        let candidates: Vec<String> = (0..1000).map(|i| format!("a{i}")).collect();
        assert_eq!(closest(&long, candidates.iter().map(String::as_str)), None);
        // Candidates much longer or shorter than the input are not measured, and not suggested.
        assert_eq!(closest("abcd", [long.as_str(), "abce"]), Some("abce"));
    }
}
