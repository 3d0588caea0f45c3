//! ISO 8601 durations as ARM and PIM read them (`P90D`, `PT8H`, `P1Y`,
//! `P2W`, `P1DT12H`): a year is 365 days and a month 30, as .NET's
//! `XmlConvert` counts them. Written here rather than taken from a crate:
//! it is twenty lines, and the crates on offer count months and years
//! differently or not at all.

/// The duration `text` names, if it is one.
pub fn parse(text: &str) -> Option<time::Duration> {
    let rest = text.trim().strip_prefix('P')?;
    let (date, clock) = match rest.split_once('T') {
        Some((d, c)) if !c.is_empty() => (d, Some(c)),
        Some(_) => return None,
        None => (rest, None),
    };
    const DAY: f64 = 86_400.0;
    let mut seconds = 0.0;
    let mut any = false;
    for (part, units) in [
        (
            date,
            &[
                ('Y', 365.0 * DAY),
                ('M', 30.0 * DAY),
                ('W', 7.0 * DAY),
                ('D', DAY),
            ][..],
        ),
        (
            clock.unwrap_or(""),
            &[('H', 3600.0), ('M', 60.0), ('S', 1.0)][..],
        ),
    ] {
        let mut number = String::new();
        for c in part.chars() {
            if c.is_ascii_digit() || c == '.' {
                number.push(c);
                continue;
            }
            let unit = units.iter().find(|(u, _)| *u == c)?.1;
            seconds += number.parse::<f64>().ok()? * unit;
            number.clear();
            any = true;
        }
        if !number.is_empty() {
            return None;
        }
    }
    any.then(|| time::Duration::seconds_f64(seconds))
}

/// A duration in words: `P90D` → "90 days", `PT8H` → "8 hours".
pub fn words(text: &str) -> String {
    let Some(d) = parse(text) else {
        return text.to_owned();
    };
    let plural = |n: i64, unit: &str| format!("{n} {unit}{}", if n == 1 { "" } else { "s" });
    if d.whole_days() > 0 && d == time::Duration::days(d.whole_days()) {
        plural(d.whole_days(), "day")
    } else if d.whole_hours() > 0 && d == time::Duration::hours(d.whole_hours()) {
        plural(d.whole_hours(), "hour")
    } else {
        plural(d.whole_minutes(), "minute")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations_read_as_arm_reads_them() {
        assert_eq!(parse("P90D"), Some(time::Duration::days(90)));
        assert_eq!(parse("PT8H"), Some(time::Duration::hours(8)));
        assert_eq!(parse("P1Y"), Some(time::Duration::days(365)));
        assert_eq!(parse("P1M"), Some(time::Duration::days(30)));
        assert_eq!(parse("P2W"), Some(time::Duration::days(14)));
        assert_eq!(parse("P1DT12H"), Some(time::Duration::hours(36)));
        for bad in ["", "P", "PT", "90D", "P8H", "PT8", "P1X", "P1DT"] {
            assert_eq!(parse(bad), None, "{bad}");
        }
        assert_eq!(words("P90D"), "90 days");
        assert_eq!(words("PT8H"), "8 hours");
        assert_eq!(words("P1D"), "1 day");
        assert_eq!(words("PT90M"), "90 minutes");
    }
}
