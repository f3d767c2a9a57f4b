//! The public pages in this process's memory, one per campaign, each kept plain and
//! compressed. At most one render of a campaign's page is in flight at a time: readers
//! who come while the page is older than the database get the page there is at once
//! (the one reader who finds no render in flight starts one in the background and is
//! served the older page too). Only a reader with no page at all (a cold start, or the
//! form just opened or closed) waits, for that one render.
//!
//! How far a page may lag the database: a new render starts at most `RENDER_INTERVAL`
//! after the previous one finished, and takes its own time (measured by `bench/run`), so a
//! reader sees every confirmation within `RENDER_INTERVAL` plus two renders: about a
//! second up to 100,000 signers on this machine (renders take 15 to 200 ms, see the
//! README's figures). Fewer renders leave the processor to the readers while
//! confirmations stream in.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use axum::body::Bytes;
use tokio::sync::Notify;
use uuid::Uuid;

/// Renders of one campaign's page start at most this often.
pub const RENDER_INTERVAL: Duration = Duration::from_millis(750);

/// A rendered page: what it shows, and its bytes plain, gzip- and brotli-compressed.
pub struct CachedPage {
    pub version: i64,
    /// The campaign's count of removals when rendered: an older page is never served.
    pub removals: i64,
    pub accepting: bool,
    /// The number of the revision the page shows (0: no letter yet).
    pub revision: i32,
    pub plain: Bytes,
    pub gzip: Bytes,
    pub brotli: Bytes,
    rendered_at: Instant,
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
            plain,
            gzip,
            brotli,
            rendered_at: Instant::now(),
        }
    }
}

#[derive(Default)]
struct Slot {
    page: Option<Arc<CachedPage>>,
    rendering: bool,
    rendered: Arc<Notify>,
}

/// What a reader should do.
pub enum Lookup {
    /// Serve this page (current, or the newest there is while a newer one is made).
    Serve(Arc<CachedPage>),
    /// Serve this page, and start the one render of the newer version (`RenderTicket`).
    ServeAndRender(Arc<CachedPage>, RenderTicket),
    /// No page to serve: render it, then serve it.
    RenderAndWait(RenderTicket),
    /// No page to serve and a render is in flight: wait for it.
    Wait(Arc<Notify>),
}

/// The right to render a campaign's page; dropping it unfinished (a failed render) lets
/// the next reader try again.
pub struct RenderTicket {
    cache: Arc<PageCache>,
    campaign: Uuid,
    finished: bool,
}

impl RenderTicket {
    pub fn finish(mut self, page: CachedPage) {
        self.finished = true;
        self.cache.finish(self.campaign, Some(page));
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
    /// What to do for a reader of `campaign`, whose current state is (`version`,
    /// `removals`, `accepting`).
    pub fn lookup(
        self: &Arc<Self>,
        campaign: Uuid,
        version: i64,
        removals: i64,
        accepting: bool,
    ) -> Lookup {
        let mut slots = self.slots.lock().unwrap_or_else(|e| e.into_inner());
        if slots.len() >= 512 && !slots.contains_key(&campaign) {
            slots.retain(|_, slot| slot.rendering);
        }
        let slot = slots.entry(campaign).or_default();
        let ticket = || RenderTicket {
            cache: Arc::clone(self),
            campaign,
            finished: false,
        };
        match slot.page.clone() {
            Some(page)
                if page.accepting == accepting
                    && page.version >= version
                    && page.removals >= removals =>
            {
                Lookup::Serve(page)
            }
            // Whether the form is open changes what the page offers, and a page from before
            // a removal would show a name whose owner took it back: never serve those.
            Some(page) if page.accepting == accepting && page.removals >= removals => {
                if slot.rendering || page.rendered_at.elapsed() < RENDER_INTERVAL {
                    Lookup::Serve(page)
                } else {
                    slot.rendering = true;
                    Lookup::ServeAndRender(page, ticket())
                }
            }
            _ if slot.rendering => Lookup::Wait(Arc::clone(&slot.rendered)),
            _ => {
                slot.rendering = true;
                Lookup::RenderAndWait(ticket())
            }
        }
    }

    fn finish(&self, campaign: Uuid, page: Option<CachedPage>) {
        let mut slots = self.slots.lock().unwrap_or_else(|e| e.into_inner());
        let slot = slots.entry(campaign).or_default();
        slot.rendering = false;
        if let Some(page) = page {
            let newer = slot.page.as_ref().is_none_or(|old| {
                page.accepting != old.accepting
                    || page.version >= old.version
                    || page.removals > old.removals
            });
            if newer {
                slot.page = Some(Arc::new(page));
            }
        }
        slot.rendered.notify_waiters();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn page(version: i64) -> CachedPage {
        CachedPage::new(
            version,
            0,
            true,
            1,
            Bytes::from_static(b"<html>page</html>"),
        )
    }

    #[test]
    fn one_render_at_a_time_and_readers_get_the_page_there_is() {
        let cache = Arc::new(PageCache::default());
        let id = Uuid::new_v4();
        let Lookup::RenderAndWait(first) = cache.lookup(id, 1, 0, true) else {
            panic!("a cold page is rendered")
        };
        assert!(
            matches!(cache.lookup(id, 1, 0, true), Lookup::Wait(_)),
            "only one render"
        );
        first.finish(page(1));
        assert!(matches!(cache.lookup(id, 1, 0, true), Lookup::Serve(p) if p.version == 1));
        // A newer version right after a render: the page there is, no render yet.
        assert!(matches!(cache.lookup(id, 2, 0, true), Lookup::Serve(p) if p.version == 1));
        std::thread::sleep(RENDER_INTERVAL);
        let Lookup::ServeAndRender(stale, second) = cache.lookup(id, 2, 0, true) else {
            panic!("one reader starts the render of the newer version")
        };
        assert_eq!(stale.version, 1);
        assert!(matches!(cache.lookup(id, 3, 0, true), Lookup::Serve(p) if p.version == 1));
        drop(second);
        assert!(
            matches!(cache.lookup(id, 3, 0, true), Lookup::ServeAndRender(..)),
            "a failed render lets the next reader try"
        );
        // A removal is never served stale.
        assert!(matches!(
            cache.lookup(id, 3, 1, true),
            Lookup::RenderAndWait(_) | Lookup::Wait(_)
        ));
        // Whether the form is open is never served stale.
        assert!(matches!(
            cache.lookup(id, 3, 0, false),
            Lookup::Wait(_) | Lookup::RenderAndWait(..)
        ));
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
