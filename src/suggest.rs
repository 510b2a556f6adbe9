//! "Did you mean ...?": the closest known name to a misspelt one.

/// The candidate closest to `input`, if it is close enough to be a likely
/// misspelling. Ties go to the earliest candidate, so the answer is stable.
pub fn closest<'a>(input: &str, candidates: impl IntoIterator<Item = &'a str>) -> Option<&'a str> {
    let input_l = input.to_lowercase();
    let squeezed = squeeze(&input_l);
    let mut best: Option<(usize, &str)> = None;
    for cand in candidates {
        let cand_l = cand.to_lowercase();
        // Same letters and digits, other punctuation (`CC61` for `CC6.1`): the best hint there is.
        let score = if !squeezed.is_empty() && squeeze(&cand_l) == squeezed {
            0
        } else if input_l.len() >= 3 && cand_l.starts_with(&input_l) {
            1
        } else {
            2 + 2 * strsim::damerau_levenshtein(&input_l, &cand_l)
        };
        if best.is_none_or(|(b, _)| score < b) {
            best = Some((score, cand));
        }
    }
    let limit = 2 + 2 * (input.chars().count() / 3).max(1);
    best.filter(|&(score, cand)| score <= limit && !cand.eq_ignore_ascii_case(input)).map(|(_, c)| c)
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
}
