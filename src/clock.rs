//! One source of "now" for everything that depends on time (sessions, tokens, the outbox,
//! deadlines, the public pages' ages), so tests move time instead of sleeping.

use std::sync::{Arc, Mutex};
use std::time::Instant;

use time::{Duration, OffsetDateTime};

pub trait Clock: Send + Sync + 'static {
    fn now(&self) -> OffsetDateTime;

    /// A reading that never goes back, for how long ago something happened (the public
    /// page cache counts ages on it as well as on `now`): the process's monotonic clock.
    fn monotonic(&self) -> Instant {
        Instant::now()
    }
}

pub struct SystemClock;

impl Clock for SystemClock {
    fn now(&self) -> OffsetDateTime {
        OffsetDateTime::now_utc()
    }
}

/// A clock that stands still until told to move; tests share one with the app. Its
/// monotonic reading stands still too, and moves forward by as much as the clock does
/// (never back: a clock set back leaves it where it was).
#[derive(Clone)]
pub struct ManualClock(Arc<Mutex<Readings>>);

struct Readings {
    now: OffsetDateTime,
    monotonic: Instant,
}

impl Readings {
    fn move_to(&mut self, to: OffsetDateTime) {
        if let Ok(forward) = std::time::Duration::try_from(to - self.now) {
            self.monotonic += forward;
        }
        self.now = to;
    }
}

impl ManualClock {
    pub fn new(start: OffsetDateTime) -> Self {
        Self(Arc::new(Mutex::new(Readings {
            now: start,
            monotonic: Instant::now(),
        })))
    }

    pub fn advance(&self, by: Duration) {
        let mut readings = self.0.lock().unwrap_or_else(|e| e.into_inner());
        let to = readings.now + by;
        readings.move_to(to);
    }

    pub fn set(&self, to: OffsetDateTime) {
        self.0.lock().unwrap_or_else(|e| e.into_inner()).move_to(to);
    }
}

impl Clock for ManualClock {
    fn now(&self) -> OffsetDateTime {
        self.0.lock().unwrap_or_else(|e| e.into_inner()).now
    }

    fn monotonic(&self) -> Instant {
        self.0.lock().unwrap_or_else(|e| e.into_inner()).monotonic
    }
}

pub type SharedClock = Arc<dyn Clock>;

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::datetime;

    #[test]
    fn a_manual_clock_moves_its_monotonic_reading_forward_only() {
        let clock = ManualClock::new(datetime!(2026-11-25 12:00 UTC));
        let start = clock.monotonic();
        assert_eq!(clock.monotonic(), start, "stands still");
        clock.advance(Duration::milliseconds(1500));
        assert_eq!(
            clock.monotonic() - start,
            std::time::Duration::from_millis(1500)
        );
        clock.set(datetime!(2026-11-25 11:00 UTC));
        assert_eq!(clock.now(), datetime!(2026-11-25 11:00 UTC));
        assert_eq!(
            clock.monotonic() - start,
            std::time::Duration::from_millis(1500),
            "set back: the monotonic reading stays"
        );
        clock.set(datetime!(2026-11-25 11:00:02 UTC));
        assert_eq!(
            clock.monotonic() - start,
            std::time::Duration::from_millis(3500)
        );
    }
}
