//! The app-wide scheduler: every `TICK_EVERY`, in every app process, each area's work
//! that has come due, one line per area job. Each job claims its own rows, so two
//! processes ticking at once do each piece of work once. Outreach keeps its own stages
//! (`outreach::Scheduler`); the jobs of the other areas are called from here, not from
//! outreach, so no area reaches sideways into another's schedule.

use tokio::sync::watch;

use crate::state::AppState;
use crate::{campaigns, coalition, outreach, signatures};

/// How often the background task looks for due work.
pub const TICK_EVERY: std::time::Duration = std::time::Duration::from_secs(30);

/// What one tick did, area by area.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Report {
    /// Outreach: deadline reminders sent.
    pub reminders: usize,
    /// Outreach: last calls sent.
    pub last_calls: usize,
    /// Outreach: emails the touch limits held back.
    pub skipped: usize,
    /// Outreach: organizers alerted (soft deadline missed, hard deadline summary).
    pub alerts: usize,
    /// Outreach: daily digests sent.
    pub digests: usize,
    /// Outreach: signers' suggestions made prospects.
    pub referrals: usize,
    /// Signers told a substantive change was not confirmed in time.
    pub not_carried_over: usize,
    /// Reissued signatures listed at the opt-out date their signers were told of.
    pub listed_after_notice: usize,
    /// Campaigns that published themselves at their release time.
    pub released: usize,
    /// Periodic member updates sent (one per campaign).
    pub member_updates: usize,
    /// Signatures whose contact details the campaigns' retention setting anonymized.
    pub retention: usize,
    /// People the address book's retention setting erased (no activity for that long).
    pub book_retention: usize,
    /// The coalition list's daily digests sent (one per member and day at most).
    pub list_digests: usize,
}

#[derive(Clone)]
pub struct Jobs {
    state: AppState,
    outreach: outreach::Scheduler,
}

impl Jobs {
    pub fn new(state: AppState) -> Self {
        let outreach = outreach::Scheduler::new(state.clone());
        Self { state, outreach }
    }

    /// Everything due now, once.
    pub async fn tick(&self) -> anyhow::Result<Report> {
        let state = &self.state;
        let outreach = self.outreach.tick().await?;
        Ok(Report {
            reminders: outreach.reminders,
            last_calls: outreach.last_calls,
            skipped: outreach.skipped,
            alerts: outreach.alerts,
            digests: outreach.digests,
            referrals: outreach.referrals,
            not_carried_over: campaigns::letter_changes::tell_names_not_carried_over(state).await?,
            listed_after_notice: campaigns::reissue::list_after_notice(state).await?,
            released: campaigns::release::publish_due(state).await?,
            member_updates: campaigns::release::send_member_updates(state).await?,
            retention: signatures::retention::anonymize_due(state, state.clock.now()).await?,
            book_retention: outreach::book::erase::retention_due(state, state.clock.now()).await?,
            list_digests: coalition::mailing::digest::send_due(state).await?,
        })
    }

    /// Runs a tick now and every `TICK_EVERY` until `shutdown` turns true.
    pub async fn run(self, mut shutdown: watch::Receiver<bool>) {
        loop {
            if let Err(e) = self.tick().await {
                tracing::warn!(error = %e, "scheduled jobs' tick failed; trying again shortly");
            }
            tokio::select! {
                _ = tokio::time::sleep(TICK_EVERY) => {}
                _ = shutdown.changed() => return,
            }
        }
    }
}
