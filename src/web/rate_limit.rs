//! A per-address rate limit kept in this process's memory: cheap enough for the signing
//! hot path. Each app instance counts separately.

use std::collections::{HashMap, VecDeque};
use std::net::IpAddr;
use std::sync::Mutex;

use time::{Duration, OffsetDateTime};

pub struct RateLimiter {
    max: usize,
    window: Duration,
    hits: Mutex<HashMap<IpAddr, VecDeque<OffsetDateTime>>>,
}

impl RateLimiter {
    pub fn new(max: usize, window: Duration) -> Self {
        Self {
            max,
            window,
            hits: Mutex::new(HashMap::new()),
        }
    }

    /// Counts one attempt from `ip` at `now`; false when the address is over its limit.
    pub fn allow(&self, ip: IpAddr, now: OffsetDateTime) -> bool {
        let mut hits = self.hits.lock().unwrap_or_else(|e| e.into_inner());
        if hits.len() > 100_000 {
            let window = self.window;
            hits.retain(|_, times| times.back().is_some_and(|t| now - *t < window));
        }
        let times = hits.entry(ip).or_default();
        while times.front().is_some_and(|t| now - *t >= self.window) {
            times.pop_front();
        }
        if times.len() >= self.max {
            return false;
        }
        times.push_back(now);
        true
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::datetime;

    #[test]
    fn limits_per_address_within_the_window() {
        let limiter = RateLimiter::new(2, Duration::minutes(5));
        let (a, b) = (IpAddr::from([10, 0, 0, 1]), IpAddr::from([10, 0, 0, 2]));
        let now = datetime!(2026-11-25 12:00 UTC);
        assert!(limiter.allow(a, now));
        assert!(limiter.allow(a, now));
        assert!(!limiter.allow(a, now));
        assert!(limiter.allow(b, now), "other addresses are not affected");
        assert!(limiter.allow(a, now + Duration::minutes(5)));
    }
}
