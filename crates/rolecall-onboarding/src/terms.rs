//! How an onboarding's Azure roles are held: as the template says, or as the
//! admin chooses for everyone or for one person (a CSV row), and the
//! person's last day, which time-bound grants are checked against.

use rolecall_grants::Schedule;
use serde::Serialize;

/// The assignment type the admin chose over the template's.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
#[serde(tag = "kind", rename_all = "camelCase")]
pub enum Choice {
    /// Each grant as the template (or the grant) says.
    #[default]
    AsTemplate,
    /// Active and permanent: a plain role assignment.
    Standing,
    /// Eligible or active, for a time or not, the same for every Azure role.
    Schedule(Schedule),
}

/// The admin's terms for a run, or for one person over the run's.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Terms {
    pub choice: Choice,
    /// For the role's PIM settings that ask one (the grant's description
    /// serves otherwise).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub justification: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub ticket: Option<String>,
    /// The person's last day: access that ends before it, or outlasts it,
    /// is pointed out.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub ends: Option<time::Date>,
}

impl Terms {
    /// These terms where they say something, `base` elsewhere.
    pub fn over(&self, base: &Terms) -> Terms {
        Terms {
            choice: match &self.choice {
                Choice::AsTemplate => base.choice.clone(),
                other => other.clone(),
            },
            justification: self.justification.clone().or(base.justification.clone()),
            ticket: self.ticket.clone().or(base.ticket.clone()),
            ends: self.ends.or(base.ends),
        }
    }

    /// The schedule of a grant the template gives `template`.
    pub fn schedule(&self, template: Option<Schedule>) -> Option<Schedule> {
        let mut schedule = match &self.choice {
            Choice::AsTemplate => template,
            Choice::Standing => None,
            Choice::Schedule(s) => Some(s.clone()),
        }?;
        if self.justification.is_some() {
            schedule.justification = self.justification.clone();
        }
        if self.ticket.is_some() {
            schedule.ticket = self.ticket.clone();
        }
        Some(schedule)
    }
}

/// A last day as a person types it (`2027-06-30`).
pub fn parse_date(text: &str) -> Result<time::Date, String> {
    let format = time::macros::format_description!("[year]-[month]-[day]");
    time::Date::parse(text.trim(), &format).map_err(|_| {
        format!(
            "'{}' is not a date: give one such as 2027-06-30",
            text.trim()
        )
    })
}

/// A row's assignment columns (`assignment`, `duration`, `until`) as a
/// choice: `eligible` or `active` with a duration or an end, `eligible`
/// alone (eligible for good) or `permanent` (standing); nothing: the run's.
pub fn choice_of(assignment: &str, duration: &str, until: &str) -> Result<Choice, String> {
    let duration = (!duration.trim().is_empty()).then(|| duration.trim().to_owned());
    let until = (!until.trim().is_empty()).then(|| Schedule::until_from(until));
    let timed = duration.is_some() || until.is_some();
    let eligible = match assignment.trim().to_ascii_lowercase().as_str() {
        "" if timed => {
            return Err(
                "a duration or an end needs an assignment type: write eligible or active".into(),
            );
        }
        "" => return Ok(Choice::AsTemplate),
        "permanent" | "standing" if timed => {
            return Err("a permanent assignment has no duration or end".into());
        }
        "permanent" | "standing" => return Ok(Choice::Standing),
        "eligible" => true,
        "active" if !timed => {
            return Err(
                "an active assignment through PIM needs a duration (such as P30D) or an end; write permanent for standing access"
                    .into(),
            );
        }
        "active" => false,
        other => {
            return Err(format!(
                "'{other}' is not an assignment type: write eligible, active or permanent"
            ));
        }
    };
    if duration.is_some() && until.is_some() {
        return Err("give a duration or an end, not both".into());
    }
    let schedule = Schedule {
        eligible,
        duration,
        until,
        ..Default::default()
    };
    schedule.check()?;
    Ok(Choice::Schedule(schedule))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_persons_terms_stand_over_the_runs_where_they_say_something() {
        let run = Terms {
            choice: Choice::Schedule(Schedule {
                eligible: true,
                duration: Some("P90D".into()),
                ..Default::default()
            }),
            justification: Some("new starter".into()),
            ..Default::default()
        };
        let person = Terms {
            ends: Some(parse_date("2027-06-30").unwrap()),
            ..Default::default()
        };
        let merged = person.over(&run);
        assert_eq!(merged.choice, run.choice);
        assert_eq!(merged.ends, person.ends);
        let schedule = merged.schedule(None).unwrap();
        assert_eq!(schedule.justification.as_deref(), Some("new starter"));
        let standing = Terms {
            choice: Choice::Standing,
            ..Default::default()
        };
        assert_eq!(standing.over(&run).schedule(None), None);
        // As the template says: the template's schedule, the run's words on it.
        let as_template = Terms {
            justification: Some("ticketed".into()),
            ..Default::default()
        };
        let template = Schedule {
            eligible: true,
            ..Default::default()
        };
        assert_eq!(
            as_template
                .schedule(Some(template))
                .unwrap()
                .justification
                .as_deref(),
            Some("ticketed")
        );
        assert_eq!(as_template.schedule(None), None);
    }

    #[test]
    fn a_rows_assignment_columns_are_read_or_refused_with_what_to_write() {
        assert_eq!(choice_of("", "", ""), Ok(Choice::AsTemplate));
        assert_eq!(choice_of("Permanent", "", ""), Ok(Choice::Standing));
        let Ok(Choice::Schedule(s)) = choice_of("eligible", "", "2027-06-30") else {
            panic!("an eligible row with an end is a schedule");
        };
        assert!(s.eligible);
        assert_eq!(s.until.as_deref(), Some("2027-06-30T23:59:59Z"));
        let Ok(Choice::Schedule(s)) = choice_of("active", "P30D", "") else {
            panic!("an active row with a duration is a schedule");
        };
        assert!(!s.eligible);
        for (a, d, u, says) in [
            ("", "P30D", "", "write eligible or active"),
            ("active", "", "", "write permanent"),
            ("elegible", "", "", "'elegible' is not an assignment type"),
            ("eligible", "90 days", "", "'90 days' is not a duration"),
            ("eligible", "P30D", "2027-01-01", "not both"),
            ("permanent", "P30D", "", "no duration"),
        ] {
            let error = choice_of(a, d, u).unwrap_err();
            assert!(error.contains(says), "{a}/{d}/{u}: {error}");
        }
        assert!(parse_date("30/06/2027").unwrap_err().contains("2027-06-30"));
    }
}
