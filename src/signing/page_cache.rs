//! The public pages in this process's memory, one per campaign, each kept plain and
//! compressed. At most one render of a campaign's page is in flight at a time.
//!
//! The guarantee: **no reader gets a page that lacks a change committed more than
//! `STALE_LIMIT` (one second) before their request arrived**, quiet or busy. A page shows
//! everything committed before its render began (its `rendered_from`: the moment the
//! reader who started it arrived, before reading the campaign row). A page as new as the
//! campaign row the reader read lacks nothing committed before they came; an older one is
//! served only while it is younger than the limit (counted at the reader's arrival), so
//! whatever it lacks was committed less than a second before the reader came:
//! - no render in flight: a page younger than `RENDER_INTERVAL` is served as it is (the
//!   throttle, so a stream of confirmations costs about two renders a second, not one
//!   each); an older one is rendered for this reader, who waits for it (tens of
//!   milliseconds). So the signer who comes back to the page after a quiet spell finds
//!   their name;
//! - a render in flight: readers get the page there is while it is younger than
//!   `STALE_LIMIT`, and otherwise wait for that render.
//!
//! A removal (withdrawn, rejected) or a change in whether the form is open is never served
//! late: the reader waits for a render that shows it. Besides the reader who starts a
//! render, readers wait only after a quiet spell or when a render takes longer than
//! `STALE_LIMIT - RENDER_INTERVAL` (half a second; renders take 15 to 250 ms up to 100,000
//! signers on this machine, see bench/README.md).
//!
//! Ages are read on two clocks, both through the app's `Clock`: its monotonic reading
//! (the process's monotonic clock) and its wall time, and the larger reading counts: no
//! clock can make a page look younger than it is. A test's clock stands still until the
//! test moves it, so what a reader gets is decided by the test, not by how fast the
//! machine is.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use axum::body::Bytes;
use time::OffsetDateTime;
use tokio::sync::Notify;
use uuid::Uuid;

use crate::clock::Clock;

/// No reader gets a page older than this that lacks a committed change.
pub const STALE_LIMIT: Duration = Duration::from_secs(1);

/// With no render in flight, a page younger than this is served though newer data exists
/// (at most one render per interval while changes stream in).
pub const RENDER_INTERVAL: Duration = Duration::from_millis(500);

/// A moment on both clocks a page's age is read on.
#[derive(Clone, Copy, Debug)]
pub struct Moment {
    instant: Instant,
    clock: OffsetDateTime,
}

impl Moment {
    pub fn now(clock: &dyn Clock) -> Self {
        Self {
            instant: clock.monotonic(),
            clock: clock.now(),
        }
    }

    /// How long after `earlier` this is: the larger reading of the two clocks (a clock set
    /// back reads zero).
    fn since(&self, earlier: &Moment) -> Duration {
        let monotonic = self.instant.saturating_duration_since(earlier.instant);
        let app = Duration::try_from(self.clock - earlier.clock).unwrap_or(Duration::ZERO);
        monotonic.max(app)
    }
}

/// A rendered page: what it shows, and its bytes plain, gzip- and brotli-compressed.
pub struct CachedPage {
    pub version: i64,
    /// The campaign's count of removals when rendered: an older page is never served.
    pub removals: i64,
    pub accepting: bool,
    /// The number of the revision the page shows (0: no letter yet).
    pub revision: i32,
    /// When something the page says by the clock stops being true (the deadline it
    /// names passes): from then on it is rendered again, whatever changed.
    pub true_until: Option<OffsetDateTime>,
    pub plain: Bytes,
    pub gzip: Bytes,
    pub brotli: Bytes,
}

impl CachedPage {
    pub fn new(version: i64, removals: i64, accepting: bool, revision: i32, plain: Bytes) -> Self {
        let gzip = {
            use std::io::Write;
            let mut encoder =
                flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::new(4));
            let _ = encoder.write_all(&plain);
            Bytes::from(encoder.finish().unwrap_or_default())
        };
        let brotli = {
            let mut out = Vec::new();
            let params = brotli::enc::BrotliEncoderParams {
                quality: 4,
                ..Default::default()
            };
            let _ = brotli::BrotliCompress(&mut &plain[..], &mut out, &params);
            Bytes::from(out)
        };
        Self {
            version,
            removals,
            accepting,
            revision,
            true_until: None,
            plain,
            gzip,
            brotli,
        }
    }

    /// The page says something (a deadline) that stops being true at `at`.
    pub fn true_until(mut self, at: Option<OffsetDateTime>) -> Self {
        self.true_until = at;
        self
    }
}

/// A page kept for a campaign, and when the render that made it began.
#[derive(Clone)]
struct Kept {
    page: Arc<CachedPage>,
    rendered_from: Moment,
}

#[derive(Default)]
struct Slot {
    kept: Option<Kept>,
    rendering: bool,
    rendered: Arc<Notify>,
}

/// What a reader found the campaign to be when they arrived.
#[derive(Clone, Copy, Debug)]
pub struct Wanted {
    pub version: i64,
    pub removals: i64,
    pub accepting: bool,
    pub arrived: Moment,
}

/// The pure decision for one reader.
#[derive(Debug, PartialEq)]
enum Decision {
    /// The kept page: current, or behind by less than the bound.
    Serve,
    /// Render now; this reader waits for it.
    Render,
    /// Wait for the render in flight.
    Wait,
}

fn decide(kept: Option<&Kept>, rendering: bool, wanted: &Wanted) -> Decision {
    let newest_there_is = if rendering {
        Decision::Wait
    } else {
        Decision::Render
    };
    let Some(Kept {
        page,
        rendered_from,
    }) = kept
    else {
        return newest_there_is;
    };
    // Whether the form is open changes what the page offers, and a page from before a
    // removal would show a name whose owner took it back: never serve those.
    if page.accepting != wanted.accepting || page.removals < wanted.removals {
        return newest_there_is;
    }
    // A page naming a deadline that has passed says something no longer true.
    if page.true_until.is_some_and(|at| wanted.arrived.clock >= at) {
        return newest_there_is;
    }
    if page.version >= wanted.version {
        return Decision::Serve;
    }
    let age = wanted.arrived.since(rendered_from);
    let may_lag = if rendering {
        STALE_LIMIT
    } else {
        RENDER_INTERVAL
    };
    if age < may_lag {
        Decision::Serve
    } else {
        newest_there_is
    }
}

/// What a reader should do.
pub enum Lookup {
    /// Serve this page (current, or behind by less than `STALE_LIMIT`).
    Serve(Arc<CachedPage>),
    /// Render the page (`RenderTicket`), then look again.
    RenderAndWait(RenderTicket),
    /// A render is in flight: wait for it, then look again.
    Wait(Arc<Notify>),
}

/// The right to render a campaign's page; dropping it unfinished (a failed render) lets
/// the next reader try again.
pub struct RenderTicket {
    cache: Arc<PageCache>,
    campaign: Uuid,
    rendered_from: Moment,
    finished: bool,
}

impl RenderTicket {
    pub fn finish(mut self, page: CachedPage) {
        self.finished = true;
        self.cache.finish(
            self.campaign,
            Some(Kept {
                page: Arc::new(page),
                rendered_from: self.rendered_from,
            }),
        );
    }
}

impl Drop for RenderTicket {
    fn drop(&mut self) {
        if !self.finished {
            self.cache.finish(self.campaign, None);
        }
    }
}

#[derive(Default)]
pub struct PageCache {
    slots: Mutex<HashMap<Uuid, Slot>>,
}

impl PageCache {
    /// What to do for a reader of `campaign`, who found it as `wanted` says. A reader who
    /// waited looks again with the same `wanted` (its arrival included): the bound is
    /// counted from when they came.
    pub fn lookup(self: &Arc<Self>, campaign: Uuid, wanted: &Wanted) -> Lookup {
        let mut slots = self.slots.lock().unwrap_or_else(|e| e.into_inner());
        if slots.len() >= 512 && !slots.contains_key(&campaign) {
            slots.retain(|_, slot| slot.rendering);
        }
        let slot = slots.entry(campaign).or_default();
        match (
            decide(slot.kept.as_ref(), slot.rendering, wanted),
            &slot.kept,
        ) {
            (Decision::Serve, Some(kept)) => Lookup::Serve(Arc::clone(&kept.page)),
            (Decision::Wait, _) => Lookup::Wait(Arc::clone(&slot.rendered)),
            _ => {
                slot.rendering = true;
                Lookup::RenderAndWait(RenderTicket {
                    cache: Arc::clone(self),
                    campaign,
                    rendered_from: wanted.arrived,
                    finished: false,
                })
            }
        }
    }

    fn finish(&self, campaign: Uuid, rendered: Option<Kept>) {
        let mut slots = self.slots.lock().unwrap_or_else(|e| e.into_inner());
        let slot = slots.entry(campaign).or_default();
        slot.rendering = false;
        if let Some(new) = rendered {
            let newer = slot.kept.as_ref().is_none_or(|old| {
                new.page.accepting != old.page.accepting
                    || new.page.version >= old.page.version
                    || new.page.removals > old.page.removals
            });
            if newer {
                slot.kept = Some(new);
            }
        }
        slot.rendered.notify_waiters();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn page(version: i64, removals: i64, accepting: bool) -> CachedPage {
        CachedPage::new(
            version,
            removals,
            accepting,
            1,
            Bytes::from_static(b"<html>page</html>"),
        )
    }

    fn start() -> Moment {
        Moment {
            instant: Instant::now(),
            clock: OffsetDateTime::now_utc(),
        }
    }

    /// `ms` later on both clocks.
    fn later(moment: Moment, ms: u64) -> Moment {
        let by = Duration::from_millis(ms);
        Moment {
            instant: moment.instant + by,
            clock: moment.clock + by,
        }
    }

    fn wanted(version: i64, removals: i64, accepting: bool, arrived: Moment) -> Wanted {
        Wanted {
            version,
            removals,
            accepting,
            arrived,
        }
    }

    #[test]
    fn the_decision_in_every_case() {
        use Decision::*;
        let t0 = start();
        let arrived = |ms| later(t0, ms);
        let (i, l, quiet) = (
            RENDER_INTERVAL.as_millis() as u64,
            STALE_LIMIT.as_millis() as u64,
            600_000,
        );
        // No page yet.
        assert_eq!(decide(None, false, &wanted(1, 0, true, t0)), Render);
        assert_eq!(decide(None, true, &wanted(1, 0, true, t0)), Wait);
        // The kept page: version 5, one removal, the form open, rendered from t0. Each
        // case: a render in flight, what the reader found (version, removals, form open,
        // arrival in ms after t0), the decision.
        let kept = Kept {
            page: Arc::new(page(5, 1, true)),
            rendered_from: t0,
        };
        #[rustfmt::skip]
        let cases = [
            // Current (or the reader's row is older): served, however old.
            (false, 5, 1, true, quiet, Serve),
            (true, 5, 1, true, quiet, Serve),
            (false, 4, 0, true, 0, Serve),
            // Behind, no render in flight: served while younger than the interval (the
            // throttle), then rendered for the reader, who waits.
            (false, 6, 1, true, i - 1, Serve),
            (false, 6, 1, true, i, Render),
            (false, 6, 1, true, quiet, Render),
            // Behind, a render in flight: served while younger than the limit, then the
            // reader waits for that render.
            (true, 6, 1, true, l - 1, Serve),
            (true, 6, 1, true, l, Wait),
            (true, 6, 1, true, quiet, Wait),
            // A removal since, or the form opened or closed since: never served, even young.
            (false, 5, 2, true, 0, Render),
            (true, 5, 2, true, 0, Wait),
            (false, 5, 1, false, 0, Render),
            (true, 5, 1, false, 0, Wait),
            (false, 5, 0, false, 0, Render),
        ];
        for (rendering, version, removals, accepting, ms, expected) in cases {
            let found = wanted(version, removals, accepting, arrived(ms));
            assert_eq!(
                decide(Some(&kept), rendering, &found),
                expected,
                "render in flight: {rendering}, found: {found:?}"
            );
        }
    }

    #[test]
    fn a_page_naming_a_passed_deadline_is_rendered_again() {
        let t0 = start();
        let deadline = t0.clock + Duration::from_secs(60);
        let kept = Kept {
            page: Arc::new(page(5, 0, true).true_until(Some(deadline))),
            rendered_from: t0,
        };
        let before = Moment {
            instant: t0.instant,
            clock: deadline - Duration::from_secs(1),
        };
        assert_eq!(
            decide(Some(&kept), false, &wanted(5, 0, true, before)),
            Decision::Serve
        );
        let after = Moment {
            instant: t0.instant,
            clock: deadline,
        };
        assert_eq!(
            decide(Some(&kept), false, &wanted(5, 0, true, after)),
            Decision::Render
        );
        assert_eq!(
            decide(Some(&kept), true, &wanted(5, 0, true, after)),
            Decision::Wait
        );
    }

    #[test]
    fn a_page_is_as_old_as_the_clock_that_says_more() {
        let t0 = start();
        let kept = Kept {
            page: Arc::new(page(1, 0, true)),
            rendered_from: t0,
        };
        // The app's clock moved (a test, or the wall clock stepped on): the page is old.
        let app_moved = Moment {
            instant: t0.instant,
            clock: t0.clock + Duration::from_secs(5),
        };
        assert_eq!(
            decide(Some(&kept), false, &wanted(2, 0, true, app_moved)),
            Decision::Render
        );
        // The app's clock set back: the monotonic clock still counts.
        let set_back = Moment {
            instant: t0.instant + Duration::from_secs(5),
            clock: t0.clock - Duration::from_secs(3600),
        };
        assert_eq!(
            decide(Some(&kept), false, &wanted(2, 0, true, set_back)),
            Decision::Render
        );
        assert_eq!(set_back.since(&t0), Duration::from_secs(5));
        assert_eq!(t0.since(&set_back), Duration::from_secs(3600));
    }

    #[test]
    fn one_render_at_a_time_and_readers_get_what_the_bound_allows() {
        let cache = Arc::new(PageCache::default());
        let id = Uuid::new_v4();
        let t0 = start();
        let Lookup::RenderAndWait(first) = cache.lookup(id, &wanted(1, 0, true, t0)) else {
            panic!("a cold page is rendered")
        };
        assert!(
            matches!(cache.lookup(id, &wanted(1, 0, true, t0)), Lookup::Wait(_)),
            "only one render"
        );
        first.finish(page(1, 0, true));
        let serves = |cache: &Arc<PageCache>, w: Wanted, version: i64| matches!(cache.lookup(id, &w), Lookup::Serve(p) if p.version == version);
        assert!(serves(&cache, wanted(1, 0, true, later(t0, 5)), 1));
        // A newer version right after a render: the page there is, no render yet.
        assert!(serves(&cache, wanted(2, 0, true, later(t0, 10)), 1));
        // Past the interval the reader renders and waits; others keep the page there is
        // until it is as old as the limit, then wait for that render.
        let Lookup::RenderAndWait(second) = cache.lookup(id, &wanted(2, 0, true, later(t0, 600)))
        else {
            panic!("the reader renders the newer version")
        };
        assert!(serves(&cache, wanted(3, 0, true, later(t0, 900)), 1));
        assert!(matches!(
            cache.lookup(id, &wanted(3, 0, true, later(t0, 1000))),
            Lookup::Wait(_)
        ));
        drop(second);
        let t1 = later(t0, 1000);
        let Lookup::RenderAndWait(third) = cache.lookup(id, &wanted(3, 0, true, t1)) else {
            panic!("a failed render lets the next reader try")
        };
        third.finish(page(3, 0, true));
        assert!(serves(&cache, wanted(3, 0, true, later(t1, 5)), 3));
        assert!(serves(&cache, wanted(4, 0, true, later(t1, 400)), 3));
        // A removal is never served stale, nor a change in whether the form is open.
        let Lookup::RenderAndWait(_removal) = cache.lookup(id, &wanted(4, 1, true, later(t1, 1)))
        else {
            panic!("a removal is rendered for its reader")
        };
        assert!(matches!(
            cache.lookup(id, &wanted(4, 0, false, later(t1, 1))),
            Lookup::Wait(_)
        ));
    }

    #[test]
    fn a_finished_render_never_replaces_a_newer_page() {
        let cache = Arc::new(PageCache::default());
        let id = Uuid::new_v4();
        let t0 = start();
        let Lookup::RenderAndWait(ticket) = cache.lookup(id, &wanted(5, 0, true, t0)) else {
            panic!("a cold page is rendered")
        };
        ticket.finish(page(5, 0, true));
        let Lookup::RenderAndWait(ticket) = cache.lookup(id, &wanted(6, 1, true, t0)) else {
            panic!("a removal is rendered")
        };
        // A render that read an older row (version 4) but after the removal is kept; one
        // that shows neither a newer version nor a removal is not.
        ticket.finish(page(4, 1, true));
        assert!(
            matches!(cache.lookup(id, &wanted(4, 1, true, t0)), Lookup::Serve(p) if p.removals == 1)
        );
        let Lookup::RenderAndWait(ticket) = cache.lookup(id, &wanted(5, 2, true, t0)) else {
            panic!("a removal is rendered")
        };
        ticket.finish(page(3, 1, true));
        assert!(
            matches!(cache.lookup(id, &wanted(4, 1, true, t0)), Lookup::Serve(p) if p.version == 4)
        );
    }

    #[test]
    fn ages_are_read_on_the_apps_clock() {
        let clock = crate::clock::ManualClock::new(OffsetDateTime::UNIX_EPOCH);
        let kept = Kept {
            page: Arc::new(page(1, 0, true)),
            rendered_from: Moment::now(&clock),
        };
        // However long the machine takes, a clock that stands still keeps the page young.
        std::thread::sleep(RENDER_INTERVAL + Duration::from_millis(50));
        assert_eq!(
            decide(Some(&kept), false, &wanted(2, 0, true, Moment::now(&clock))),
            Decision::Serve
        );
        clock.advance(time::Duration::milliseconds(
            RENDER_INTERVAL.as_millis() as i64
        ));
        assert_eq!(
            decide(Some(&kept), false, &wanted(2, 0, true, Moment::now(&clock))),
            Decision::Render
        );
    }

    #[test]
    fn pages_are_kept_compressed() {
        let plain = Bytes::from("<li>Alder Network</li>".repeat(1000));
        let page = CachedPage::new(1, 0, true, 1, plain.clone());
        assert!(page.gzip.len() < plain.len() / 10 && !page.gzip.is_empty());
        assert!(page.brotli.len() < plain.len() / 10 && !page.brotli.is_empty());
        let mut unzipped = Vec::new();
        std::io::Read::read_to_end(
            &mut flate2::read::GzDecoder::new(&page.gzip[..]),
            &mut unzipped,
        )
        .unwrap();
        assert_eq!(unzipped, plain);
    }
}
