//! A store's business hours: its time zone, opening hours per weekday and holidays, and the
//! arithmetic service targets need on them: add N business minutes to an instant, count the
//! business minutes between two instants, move on N business days.
//!
//! Hours are local to the store's zone (the tz database is bundled, so daylight saving time is
//! followed the same on every machine); instants in and out are UTC. A day has at most one
//! opening window; a day a holiday falls on is closed whatever its weekday says.

use std::collections::BTreeSet;

use jiff::civil;
use jiff::tz::TimeZone;
use time::{Date, Month, OffsetDateTime};

use crate::store::ValidationError;

/// Days looked ahead for the next opening before a calculation gives up; a calendar with at
/// least one open weekday always finds one well within it.
const HORIZON_DAYS: u32 = 3700;

/// One day's opening window, in minutes after local midnight: `open < close <= 1440`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Window {
    /// Opens at, minutes after midnight.
    pub open: u16,
    /// Closes at, minutes after midnight (1440 is midnight at the end of the day).
    pub close: u16,
}

impl Window {
    /// Reads `09:00-17:30`; `closed` (or an empty text) is no window.
    pub fn parse(text: &str) -> Result<Option<Window>, String> {
        let text = text.trim();
        if text.is_empty() || text.eq_ignore_ascii_case("closed") {
            return Ok(None);
        }
        let problem = || format!("`{text}`: write opening hours as HH:MM-HH:MM (e.g. 09:00-17:30) or `closed`");
        let (open, close) = text.split_once('-').ok_or_else(problem)?;
        let minutes = |part: &str| -> Option<u16> {
            let (h, m) = part.trim().split_once(':')?;
            let (h, m): (u16, u16) = (h.parse().ok()?, m.parse().ok()?);
            (m < 60 && (h < 24 || (h == 24 && m == 0))).then_some(h * 60 + m)
        };
        let (open, close) = (minutes(open).ok_or_else(problem)?, minutes(close).ok_or_else(problem)?);
        if open >= close {
            return Err(format!("`{text}`: a day must close after it opens"));
        }
        Ok(Some(Window { open, close }))
    }
}

/// When a store is open: its zone, a window per weekday (Monday first) and its holidays.
#[derive(Clone, Debug)]
pub struct BusinessCalendar {
    zone: TimeZone,
    week: [Option<Window>; 7],
    holidays: BTreeSet<Date>,
}

impl BusinessCalendar {
    /// A calendar in the IANA zone `zone` (`Europe/Madrid`, `UTC`), with windows Monday to
    /// Sunday. Refused when the zone is unknown or no weekday opens.
    pub fn new(zone: &str, week: [Option<Window>; 7], holidays: BTreeSet<Date>) -> Result<Self, ValidationError> {
        let zone = jiff::tz::db().get(zone).map_err(|_| {
            ValidationError::new("time_zone", format!("`{zone}` is not a time zone (try Europe/Madrid)"))
        })?;
        if week.iter().all(Option::is_none) {
            return Err(ValidationError::new("hours", "open on at least one weekday"));
        }
        Ok(Self { zone, week, holidays })
    }

    /// The opening window of a local day as instants, or none when closed.
    fn window_of(&self, day: civil::Date) -> Option<(OffsetDateTime, OffsetDateTime)> {
        let window = self.week[usize::from(day.weekday().to_monday_zero_offset().unsigned_abs())]?;
        if self.holidays.contains(&to_time_date(day)?) {
            return None;
        }
        Some((self.instant(day, window.open)?, self.instant(day, window.close)?))
    }

    /// The instant of `minute` after local midnight of `day` (a time skipped by a clock change
    /// is read as the same wall time after it).
    fn instant(&self, day: civil::Date, minute: u16) -> Option<OffsetDateTime> {
        let local = if minute >= 1440 {
            day.tomorrow().ok()?.at(0, 0, 0, 0)
        } else {
            day.at(i8::try_from(minute / 60).ok()?, i8::try_from(minute % 60).ok()?, 0, 0)
        };
        let zoned = local.to_zoned(self.zone.clone()).ok()?;
        OffsetDateTime::from_unix_timestamp_nanos(zoned.timestamp().as_nanosecond()).ok()
    }

    /// The local date of an instant.
    fn local_date(&self, at: OffsetDateTime) -> Option<civil::Date> {
        let stamp = jiff::Timestamp::from_nanosecond(at.unix_timestamp_nanos()).ok()?;
        Some(stamp.to_zoned(self.zone.clone()).date())
    }

    /// The opening windows from the local day of `from` on, in order, at most [`HORIZON_DAYS`].
    fn windows_from(&self, from: OffsetDateTime) -> impl Iterator<Item = (OffsetDateTime, OffsetDateTime)> + '_ {
        let first = self.local_date(from);
        // The day before too: a window of the previous local day cannot reach past midnight,
        // but starting there keeps the walk right whatever the zone's offset did overnight.
        let start = first.and_then(|d| d.yesterday().ok());
        std::iter::successors(start, |d| d.tomorrow().ok())
            .take(HORIZON_DAYS as usize)
            .filter_map(|d| self.window_of(d))
    }

    /// True when the store is open at `at` (open inclusive, close exclusive).
    pub fn is_open(&self, at: OffsetDateTime) -> bool {
        self.windows_from(at).take_while(|(open, _)| *open <= at).any(|(open, close)| open <= at && at < close)
    }

    /// `minutes` business minutes after `start`. Zero gives `start`; otherwise the result lies
    /// in an opening window (its close included): time only runs while the store is open.
    pub fn add_minutes(&self, start: OffsetDateTime, minutes: u32) -> OffsetDateTime {
        if minutes == 0 {
            return start;
        }
        let mut left = time::Duration::minutes(i64::from(minutes));
        let mut last = start;
        for (open, close) in self.windows_from(start) {
            if close <= start {
                continue;
            }
            let from = open.max(start);
            let available = close - from;
            if left <= available {
                return from + left;
            }
            left -= available;
            last = close;
        }
        // Past the horizon (a calendar of holidays only): count the rest as plain time.
        last + left
    }

    /// Business minutes in `[from, to)`; zero when `to` is not after `from`.
    pub fn minutes_between(&self, from: OffsetDateTime, to: OffsetDateTime) -> i64 {
        if to <= from {
            return 0;
        }
        let mut total = time::Duration::ZERO;
        for (open, close) in self.windows_from(from) {
            if open >= to {
                break;
            }
            let (a, b) = (open.max(from), close.min(to));
            if b > a {
                total += b - a;
            }
        }
        total.whole_minutes()
    }

    /// The same local time on the `days`-th open day after `start`'s day, moved into that day's
    /// window when it falls before opening or after closing. Zero days gives `start`.
    pub fn add_days(&self, start: OffsetDateTime, days: u32) -> OffsetDateTime {
        let (Some(first), Ok(stamp)) =
            (self.local_date(start), jiff::Timestamp::from_nanosecond(start.unix_timestamp_nanos()))
        else {
            return start;
        };
        if days == 0 {
            return start;
        }
        let clock = stamp.to_zoned(self.zone.clone()).time();
        let minute = u16::try_from(i32::from(clock.hour()) * 60 + i32::from(clock.minute())).unwrap_or(0);
        let mut counted = 0;
        for day in std::iter::successors(first.tomorrow().ok(), |d| d.tomorrow().ok()).take(HORIZON_DAYS as usize) {
            if self.window_of(day).is_none() {
                continue;
            }
            counted += 1;
            if counted == days {
                let window = self.week[usize::from(day.weekday().to_monday_zero_offset().unsigned_abs())];
                let minute = window.map_or(minute, |w| minute.clamp(w.open, w.close));
                return self.instant(day, minute).unwrap_or(start);
            }
        }
        start + time::Duration::days(i64::from(days))
    }
}

/// A `time` date from a civil one.
fn to_time_date(day: civil::Date) -> Option<Date> {
    let month = Month::try_from(u8::try_from(day.month()).ok()?).ok()?;
    Date::from_calendar_date(i32::from(day.year()), month, u8::try_from(day.day()).ok()?).ok()
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;
    use time::macros::{date, datetime};

    fn nine_to_five(zone: &str, holidays: &[Date]) -> BusinessCalendar {
        let day = Window::parse("09:00-17:00").unwrap();
        BusinessCalendar::new(zone, [day, day, day, day, day, None, None], holidays.iter().copied().collect()).unwrap()
    }

    #[test]
    fn windows_are_read_and_bad_ones_refused() {
        assert_eq!(Window::parse("09:00-17:30").unwrap(), Some(Window { open: 540, close: 1050 }));
        assert_eq!(Window::parse("00:00-24:00").unwrap(), Some(Window { open: 0, close: 1440 }));
        assert_eq!(Window::parse("closed").unwrap(), None);
        for bad in ["17:00-09:00", "9-5", "25:00-26:00", "09:60-10:00", "09:00"] {
            assert!(Window::parse(bad).is_err(), "{bad}");
        }
        assert!(BusinessCalendar::new("Mars/Olympus", [None; 7], BTreeSet::new()).is_err());
        assert!(BusinessCalendar::new("UTC", [None; 7], BTreeSet::new()).is_err());
    }

    #[test]
    fn minutes_run_in_opening_hours_only_across_a_weekend() {
        let calendar = nine_to_five("UTC", &[]);
        // Friday 16:00 + 2 h: one hour on Friday, one on Monday.
        let friday = datetime!(2026-12-04 16:00 UTC);
        assert_eq!(calendar.add_minutes(friday, 120), datetime!(2026-12-07 10:00 UTC));
        // Saturday night counts from Monday's opening.
        assert_eq!(calendar.add_minutes(datetime!(2026-12-05 23:00 UTC), 30), datetime!(2026-12-07 09:30 UTC));
        // A whole day's worth ends at the close, not the next morning.
        assert_eq!(calendar.add_minutes(datetime!(2026-12-07 09:00 UTC), 480), datetime!(2026-12-07 17:00 UTC));
        assert_eq!(calendar.minutes_between(friday, datetime!(2026-12-07 10:00 UTC)), 120);
        assert!(!calendar.is_open(datetime!(2026-12-05 12:00 UTC)));
        assert!(calendar.is_open(datetime!(2026-12-07 09:00 UTC)));
        assert!(!calendar.is_open(datetime!(2026-12-07 17:00 UTC)));
    }

    #[test]
    fn a_holiday_is_closed_whatever_its_weekday() {
        let calendar = nine_to_five("UTC", &[date!(2026 - 12 - 25)]);
        // Thursday 24 Dec 16:00 + 2 h: one hour Thursday, Friday 25th is a holiday, one Monday.
        assert_eq!(calendar.add_minutes(datetime!(2026-12-24 16:00 UTC), 120), datetime!(2026-12-28 10:00 UTC));
        // Three business days from Wednesday 23rd: Thursday, Monday, Tuesday.
        assert_eq!(calendar.add_days(datetime!(2026-12-23 11:00 UTC), 3), datetime!(2026-12-29 11:00 UTC));
    }

    #[test]
    fn hours_are_local_to_the_stores_zone_and_follow_daylight_saving() {
        let calendar = nine_to_five("Europe/Madrid", &[]);
        // 09:00 in Madrid is 08:00 UTC in winter and 07:00 UTC in summer.
        assert_eq!(calendar.add_minutes(datetime!(2026-12-07 00:00 UTC), 60), datetime!(2026-12-07 09:00 UTC));
        assert_eq!(calendar.add_minutes(datetime!(2026-07-06 00:00 UTC), 60), datetime!(2026-07-06 08:00 UTC));
        // Friday 27 March 16:30 Madrid (15:30 UTC) + 1 h: the clocks go forward on Sunday; Monday
        // opens at 07:00 UTC.
        assert_eq!(calendar.add_minutes(datetime!(2026-03-27 15:30 UTC), 60), datetime!(2026-03-30 07:30 UTC));
    }

    #[test]
    fn days_keep_the_local_time_within_the_window() {
        let calendar = nine_to_five("UTC", &[]);
        assert_eq!(calendar.add_days(datetime!(2026-12-04 20:00 UTC), 1), datetime!(2026-12-07 17:00 UTC));
        assert_eq!(calendar.add_days(datetime!(2026-12-04 03:00 UTC), 2), datetime!(2026-12-08 09:00 UTC));
        assert_eq!(calendar.add_days(datetime!(2026-12-04 03:00 UTC), 0), datetime!(2026-12-04 03:00 UTC));
    }

    fn any_calendar() -> impl Strategy<Value = BusinessCalendar> {
        let window = prop_oneof![
            Just(None),
            // At least half an hour a day: the longest target then ends within the horizon
            // (a store open one minute a week would need a century, and the calendar counts
            // time past its horizon as plain time, by design).
            (0u16..1380, 30u16..600).prop_map(|(open, len)| Some(Window { open, close: (open + len).min(1440) })),
        ];
        let zone = prop_oneof![Just("UTC"), Just("Europe/Madrid"), Just("America/Sao_Paulo"), Just("Asia/Jakarta")];
        let holidays = proptest::collection::btree_set(
            (0i64..60).prop_map(|d| date!(2026 - 12 - 01) + time::Duration::days(d)),
            0..8,
        );
        (zone, proptest::array::uniform7(window), holidays).prop_filter_map(
            "some day opens",
            |(zone, mut week, holidays)| {
                if week.iter().all(Option::is_none) {
                    week[0] = Some(Window { open: 540, close: 1020 });
                }
                BusinessCalendar::new(zone, week, holidays).ok()
            },
        )
    }

    fn any_instant() -> impl Strategy<Value = OffsetDateTime> {
        (0i64..60 * 24 * 60).prop_map(|m| datetime!(2026-12-01 00:00 UTC) + time::Duration::minutes(m))
    }

    proptest! {
        #[test]
        fn deadlines_never_fall_in_closed_hours_and_count_exactly(calendar in any_calendar(), start in any_instant(), minutes in 1u32..5000) {
            let due = calendar.add_minutes(start, minutes);
            prop_assert!(due > start);
            // Open just before the deadline: it is reached while the store is open.
            prop_assert!(calendar.is_open(due - time::Duration::minutes(1)), "{due} is in closed hours");
            prop_assert_eq!(calendar.minutes_between(start, due), i64::from(minutes));
        }

        #[test]
        fn the_deadline_grows_with_the_target(calendar in any_calendar(), start in any_instant(), a in 0u32..4000, b in 0u32..4000) {
            let (low, high) = (a.min(b), a.max(b));
            prop_assert!(calendar.add_minutes(start, low) <= calendar.add_minutes(start, high));
        }

        #[test]
        fn pausing_moves_the_deadline_by_the_open_time_paused(calendar in any_calendar(), start in any_instant(), run in 1u32..600, pause in 0i64..5000, minutes in 601u32..3000) {
            // Run `run` minutes, pause for a while, resume: the rest of the target counts from
            // the resumption, and the clock shows exactly the target spent at the deadline.
            let paused_at = calendar.add_minutes(start, run);
            let resumed = paused_at + time::Duration::minutes(pause);
            let due = calendar.add_minutes(resumed, minutes - run);
            let spent = calendar.minutes_between(start, paused_at) + calendar.minutes_between(resumed, due);
            prop_assert_eq!(spent, i64::from(minutes));
            prop_assert!(due >= calendar.add_minutes(start, minutes));
        }
    }
}
