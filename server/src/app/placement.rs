//! The in-memory occupancy index the planner chooses from, mirrored from the database.
//! Correctness never depends on it being current: the `slices_no_overlap` constraint is the
//! arbiter. Other replicas write the same tables, so the index is reloaded every
//! `index_refresh_ms` (a background task, see `App`) and a GPU whose slices conflicted is
//! reloaded at once before planning again.
//!
//! A reload reads the database while this replica keeps granting and releasing, so the
//! snapshot can miss this replica's own latest writes. Reservations not yet committed are
//! always known (`pending`), and while a reload is in flight every commit and release is also
//! noted in a journal; both are replayed onto the snapshot before it replaces the index.

use crate::store;
use slicebroker_placement::{
    Decision, Fleet, GpuKey, HostKey, NoFit, PlacementRequest, Policy, SliceKey,
};
use slicebroker_types::api::LeaseSlice;
use slicebroker_types::{GpuId, HostId, SliceId};
use slicebroker_types::{GpuModel, ModelId, ProfileIdx, SliceShape};
use std::collections::{BTreeMap, HashMap, HashSet};
use std::sync::Mutex;
use std::sync::atomic::{AtomicU64, Ordering};

/// A placement chosen and held in the index until the transaction commits or is abandoned.
#[derive(Clone, Debug)]
pub struct Reserved {
    pub slice_id: SliceId,
    pub gpu_id: GpuId,
    pub gpu_uuid: String,
    pub host_id: HostId,
    pub host: String,
    pub shape: SliceShape,
    pub start: u8,
    pub size: u8,
}

impl Reserved {
    /// The slice as a new lease shows it.
    pub fn view(&self) -> LeaseSlice {
        let p = self.shape.profile();
        LeaseSlice {
            id: self.slice_id,
            host_id: self.host_id,
            host: self.host.clone(),
            gpu_id: self.gpu_id,
            gpu_uuid: self.gpu_uuid.clone(),
            model: self.shape.model().key.to_owned(),
            profile: p.name.to_owned(),
            start: i32::from(self.start),
            size: i32::from(self.size),
            compute_slices: i32::from(p.compute_slices),
            memory_gib: p.nominal_memory_gib() as i32,
            mig_device_uuid: None,
            cuda_visible_devices: None,
            released_at: None,
        }
    }
}

/// What a lease's view of a slice shows about its GPU and host.
#[derive(Clone, Debug)]
struct GpuNames {
    uuid: String,
    host: String,
}

/// The index holds windows in whole Unix seconds, rounded outwards: a start down, an end up
/// ([`end_secs`]). A place the index finds free for a window is then free to the microsecond
/// in the database too, so the constraint never refuses what the planner chose for want of a
/// fraction of a second (which no retry could cure), and the earliest start it names can be
/// booked.
pub fn start_secs(t: chrono::DateTime<chrono::Utc>) -> i64 {
    t.timestamp()
}

/// The end of a window in whole Unix seconds, rounded up (see [`start_secs`]).
pub fn end_secs(t: chrono::DateTime<chrono::Utc>) -> i64 {
    t.timestamp() + i64::from(t.timestamp_subsec_nanos() > 0)
}

/// A slice this replica placed, as the index needs it to place it again.
#[derive(Clone, Copy, Debug)]
struct Placed {
    gpu_id: GpuId,
    profile: ProfileIdx,
    start: u8,
    /// Unix seconds: the slice's window (DESIGN.md §2, invariant 1).
    starts_at: i64,
    ends_at: i64,
}

/// What this replica committed and released while a reload was reading the database.
#[derive(Debug, Default)]
struct Journal {
    committed: Vec<(SliceId, Placed)>,
    released: HashSet<SliceId>,
}

#[derive(Debug, Default)]
struct State {
    fleet: Fleet,
    gpu_ids: Vec<GpuId>,
    /// By `GpuKey`, like `gpu_ids`.
    gpu_names: Vec<GpuNames>,
    gpu_keys: HashMap<GpuId, GpuKey>,
    host_ids: Vec<HostId>,
    host_keys: HashMap<HostId, HostKey>,
    /// Every slice in `fleet`, live or booked: the fleet knows each one's window and moves a
    /// booking onto its GPU when the window begins (`Fleet::advance`, before each decision).
    slice_keys: HashMap<SliceId, SliceKey>,
    next_slice: u64,
    /// Reserved by this replica and not yet committed or abandoned.
    pending: HashMap<SliceId, Placed>,
    /// `Some` while a reload is in flight.
    journal: Option<Journal>,
}

impl State {
    /// The fleet as the database showed it.
    fn from_snapshot(
        gpus: Vec<store::fleet::GpuRecord>,
        slices: Vec<store::fleet::LiveSlice>,
    ) -> Self {
        let mut st = State::default();
        for g in gpus {
            let Some(model) = GpuModel::find(&g.model) else {
                tracing::warn!(gpu = %g.id, model = %g.model, "GPU of unknown model ignored");
                continue;
            };
            let next_host = HostKey(st.host_ids.len() as u32);
            let host = *st.host_keys.entry(g.host_id).or_insert(next_host);
            if host == next_host {
                st.host_ids.push(g.host_id);
            }
            let key = st.fleet.add_gpu(host, model, g.schedulable);
            st.gpu_ids.push(g.id);
            st.gpu_names.push(GpuNames {
                uuid: g.uuid,
                host: g.host_name,
            });
            st.gpu_keys.insert(g.id, key);
        }
        st.add_live(slices);
        st
    }

    fn add_live(&mut self, slices: Vec<store::fleet::LiveSlice>) {
        for s in slices {
            let Some(&gpu) = self.gpu_keys.get(&s.gpu_id) else {
                continue;
            };
            let model = GpuModel::get(self.model_of(gpu));
            let Some(profile) = model.profile_by_name(&s.profile) else {
                continue;
            };
            let placed = Placed {
                gpu_id: s.gpu_id,
                profile,
                start: s.start as u8,
                starts_at: s.starts_at,
                ends_at: s.ends_at,
            };
            if !self.add(s.id, placed) {
                tracing::error!(slice = %s.id, "live slice does not fit its GPU");
            }
        }
    }

    fn model_of(&self, gpu: GpuKey) -> ModelId {
        self.fleet
            .gpu(gpu)
            .expect("key from this fleet")
            .occupancy
            .model_id()
    }

    /// Records a slice unless it is known already; false if it does not fit. A slice whose
    /// window has not begun (a booking) is recorded with its window, in the way of the
    /// placements whose windows overlap it.
    fn add(&mut self, id: SliceId, p: Placed) -> bool {
        if self.slice_keys.contains_key(&id) {
            return true;
        }
        let Some(&gpu) = self.gpu_keys.get(&p.gpu_id) else {
            return true;
        };
        let key = SliceKey(self.next_slice);
        let added = if p.starts_at > chrono::Utc::now().timestamp() {
            self.fleet
                .add_booking(gpu, key, p.profile, p.start, (p.starts_at, p.ends_at))
        } else {
            self.fleet
                .add_slice(gpu, key, p.profile, p.start, p.ends_at)
        };
        if added.is_err() {
            return false;
        }
        self.next_slice += 1;
        self.slice_keys.insert(id, key);
        true
    }

    fn remove(&mut self, id: &SliceId) {
        if let Some(key) = self.slice_keys.remove(id) {
            self.fleet.remove_slice(key);
        }
    }

    /// Puts back what this replica did that a snapshot may lack: reservations still pending
    /// and commits made during the reload, minus releases made during it. `gpu` limits the
    /// replay to one reloaded GPU.
    fn replay(&mut self, journal: Journal, gpu: Option<GpuId>) {
        let ours: Vec<(SliceId, Placed)> = self
            .pending
            .iter()
            .map(|(id, p)| (*id, *p))
            .chain(journal.committed)
            .filter(|(id, p)| gpu.is_none_or(|g| g == p.gpu_id) && !journal.released.contains(id))
            .collect();
        for (id, p) in ours {
            if !self.add(id, p) {
                // Another replica's commit holds the place; the constraint will refuse ours.
                tracing::debug!(slice = %id, "own slice no longer fits the reloaded GPU");
            }
        }
        for id in &journal.released {
            self.remove(id);
        }
    }
}

/// Where a reload reads from.
enum Source<'a> {
    Pool(&'a sqlx::PgPool),
    Conn(&'a mut sqlx::PgConnection),
}

#[derive(Debug)]
pub struct PlacementIndex {
    state: Mutex<State>,
    /// One reload at a time, so that each has the journal to itself.
    reloading: tokio::sync::Mutex<()>,
    /// Whole reloads asked for, and the highest of those asks that a finished reload covers
    /// (it began reading after the ask): callers that queued behind a reload which started
    /// after them need no reload of their own, so a burst of registrations costs a few reloads,
    /// not one each.
    asked: AtomicU64,
    covered: AtomicU64,
    policy: Policy,
}

impl PlacementIndex {
    pub fn new(policy: Policy) -> Self {
        Self {
            state: Mutex::new(State::default()),
            reloading: tokio::sync::Mutex::new(()),
            asked: AtomicU64::new(0),
            covered: AtomicU64::new(0),
            policy,
        }
    }

    fn state(&self) -> std::sync::MutexGuard<'_, State> {
        self.state.lock().expect("index lock")
    }

    /// Rebuilds the index from the database: on return it reflects everything committed before
    /// the call.
    pub async fn refresh(&self, db: &sqlx::PgPool) -> Result<(), sqlx::Error> {
        self.reload(Source::Pool(db)).await
    }

    /// [`Self::refresh`] on this connection (a transaction's, holding a lock others wait on).
    pub async fn refresh_on(&self, conn: &mut sqlx::PgConnection) -> Result<(), sqlx::Error> {
        self.reload(Source::Conn(conn)).await
    }

    /// A pool's connection is taken only once it is this call's turn: callers queued behind a
    /// reload hold none.
    async fn reload(&self, from: Source<'_>) -> Result<(), sqlx::Error> {
        let ask = self.asked.fetch_add(1, Ordering::SeqCst) + 1;
        let _one = self.reloading.lock().await;
        if self.covered.load(Ordering::SeqCst) >= ask {
            return Ok(());
        }
        let mut pooled = None;
        let conn = match from {
            Source::Conn(c) => c,
            Source::Pool(db) => &mut **pooled.insert(db.acquire().await?),
        };
        let covers = self.asked.load(Ordering::SeqCst);
        self.state().journal = Some(Journal::default());
        let read = async {
            let gpus = store::fleet::gpus(&mut *conn).await?;
            let slices = store::fleet::live_slices(&mut *conn, None).await?;
            Ok::<_, sqlx::Error>((gpus, slices))
        };
        let (gpus, slices) = match read.await {
            Ok(snapshot) => snapshot,
            Err(e) => {
                self.state().journal = None;
                return Err(e);
            }
        };
        let mut fresh = State::from_snapshot(gpus, slices);
        let mut st = self.state();
        let journal = st.journal.take().unwrap_or_default();
        fresh.pending = std::mem::take(&mut st.pending);
        fresh.next_slice = fresh.next_slice.max(st.next_slice);
        fresh.replay(journal, None);
        *st = fresh;
        self.covered.fetch_max(covers, Ordering::SeqCst);
        Ok(())
    }

    /// Reloads one GPU's slices from the database: after a conflict there, another replica
    /// has placed something the index does not know.
    pub async fn refresh_gpu(
        &self,
        db: impl sqlx::PgExecutor<'_>,
        gpu_id: GpuId,
    ) -> Result<(), sqlx::Error> {
        let _one = self.reloading.lock().await;
        self.state().journal = Some(Journal::default());
        let slices = match store::fleet::live_slices(db, Some(gpu_id)).await {
            Ok(slices) => slices,
            Err(e) => {
                self.state().journal = None;
                return Err(e);
            }
        };
        let mut st = self.state();
        let journal = st.journal.take().unwrap_or_default();
        let Some(&gpu) = st.gpu_keys.get(&gpu_id) else {
            return Ok(());
        };
        let held: Vec<SliceId> = st
            .slice_keys
            .iter()
            .filter(|(_, k)| st.fleet.slice_gpu(**k) == Some(gpu))
            .map(|(id, _)| *id)
            .collect();
        for id in &held {
            st.remove(id);
        }
        st.add_live(slices);
        st.replay(journal, Some(gpu_id));
        Ok(())
    }

    /// Chooses places for `count` slices (all or nothing) and holds them until
    /// [`PlacementIndex::confirm`] (committed) or [`PlacementIndex::forget`] (abandoned).
    pub fn reserve(
        &self,
        shapes: Vec<SliceShape>,
        count: usize,
        now: i64,
        ends_at: i64,
    ) -> Result<Vec<Reserved>, NoFit> {
        let mut guard = self.state();
        let st = &mut *guard;
        let req = PlacementRequest {
            shapes,
            now,
            ends_at,
            hosts: None,
        };
        // Bookings whose window has begun hold their GPUs now; a place is free only if no
        // booking needs it before this lease ends (the planner checks).
        st.fleet.advance(now);
        let planned = st.fleet.plan_many(&req, count, self.policy);
        Self::hold(st, planned?, now, ends_at)
    }

    /// Chooses places for a booking's `count` slices, free for the whole window
    /// `[starts_at, ends_at)` (the slices there now that end before it starts do not count,
    /// the bookings that overlap it do), best fit in time. Held like [`Self::reserve`]'s.
    pub fn reserve_during(
        &self,
        shapes: Vec<SliceShape>,
        count: usize,
        starts_at: i64,
        ends_at: i64,
    ) -> Result<Vec<Reserved>, NoFit> {
        let mut guard = self.state();
        let st = &mut *guard;
        let now = start_secs(chrono::Utc::now());
        st.fleet.advance(now);
        let req = PlacementRequest {
            shapes,
            now: now.min(starts_at),
            ends_at,
            hosts: None,
        };
        let planned = st
            .fleet
            .plan_many_during(&req, starts_at, count, self.policy);
        Self::hold(st, planned?, starts_at, ends_at)
    }

    /// Holds planned places as this replica's pending reservations.
    fn hold(
        st: &mut State,
        decisions: Vec<Decision>,
        starts_at: i64,
        ends_at: i64,
    ) -> Result<Vec<Reserved>, NoFit> {
        let mut out = Vec::with_capacity(decisions.len());
        for d in decisions {
            let slice_id = SliceId::new();
            let gpu_id = st.gpu_ids[d.gpu.0 as usize];
            let placed = Placed {
                gpu_id,
                profile: d.shape.profile,
                start: d.placement.start,
                starts_at,
                ends_at,
            };
            assert!(
                st.add(slice_id, placed),
                "plan_many proposes placements that fit together"
            );
            st.pending.insert(slice_id, placed);
            let names = st.gpu_names[d.gpu.0 as usize].clone();
            out.push(Reserved {
                slice_id,
                gpu_id,
                gpu_uuid: names.uuid,
                host_id: st.host_ids[d.host.0 as usize],
                host: names.host,
                shape: d.shape,
                start: d.placement.start,
                size: d.placement.size,
            });
        }
        Ok(out)
    }

    /// The reservations' transaction committed: they are now the database's too.
    pub fn confirm(&self, slice_ids: &[SliceId]) {
        let mut st = self.state();
        for id in slice_ids {
            if let Some(p) = st.pending.remove(id)
                && let Some(journal) = &mut st.journal
            {
                journal.committed.push((*id, p));
            }
        }
    }

    /// Drops slices from the index: released, or reserved but never committed.
    pub fn forget(&self, slice_ids: impl IntoIterator<Item = SliceId>) {
        let mut st = self.state();
        for id in slice_ids {
            st.pending.remove(&id);
            st.remove(&id);
            if let Some(journal) = &mut st.journal {
                journal.released.insert(id);
            }
        }
    }

    /// Moves slices' end times (an extension). A reload in flight may bring back the old end;
    /// the next one corrects it, and end times only steer scoring, never correctness.
    pub fn set_end(&self, slice_ids: &[SliceId], ends_at: i64) {
        let mut st = self.state();
        for id in slice_ids {
            if let Some(&key) = st.slice_keys.get(id) {
                st.fleet.set_slice_end(key, ends_at);
            }
        }
    }

    /// `[from, to)` cut where the number of `profile` slices the model's GPUs could take
    /// changes, from the windows of bookings and of what runs now.
    pub fn timeline(
        &self,
        model: ModelId,
        profile: ProfileIdx,
        (from, to): (i64, i64),
    ) -> Vec<(i64, i64, u32)> {
        self.state().fleet.timeline(model, profile, from, to)
    }

    /// The earliest start in `[from, to)` at which one slice of any of `shapes` is free for
    /// `duration` seconds.
    pub fn earliest_free(
        &self,
        shapes: &[SliceShape],
        (from, to): (i64, i64),
        duration: i64,
    ) -> Option<i64> {
        let st = self.state();
        shapes
            .iter()
            .filter_map(|s| st.fleet.earliest_free(*s, from, to, duration))
            .min()
    }

    /// How many slices of `shapes` are free together for a window of `duration` seconds, by
    /// its start in `[from, to)` (`(start, how many)`, each holding until the next). A model's
    /// shapes share its GPUs, so each model counts its best shape (a count the request surely
    /// gets); the models add up. One sweep over every shape's changes.
    pub fn free_together(
        &self,
        shapes: &[SliceShape],
        (from, to): (i64, i64),
        duration: i64,
    ) -> Vec<(i64, u32)> {
        let st = self.state();
        let mut changes: Vec<(i64, usize, u32)> = Vec::new();
        for (i, s) in shapes.iter().enumerate() {
            let counts = st.fleet.window_counts(*s, (from, to), duration);
            changes.extend(counts.into_iter().map(|(t, n)| (t, i, n)));
        }
        changes.sort_unstable();
        let mut now = vec![0u32; shapes.len()];
        let mut out: Vec<(i64, u32)> = Vec::new();
        for (k, &(t, i, n)) in changes.iter().enumerate() {
            now[i] = n;
            if changes.get(k + 1).is_some_and(|next| next.0 == t) {
                continue;
            }
            let mut best: BTreeMap<ModelId, u32> = BTreeMap::new();
            for (s, &n) in shapes.iter().zip(&now) {
                let b = best.entry(s.model).or_default();
                *b = (*b).max(n);
            }
            out.push((t, best.values().sum()));
        }
        out
    }

    /// Whether the model has a GPU that is placed on.
    pub fn has_schedulable(&self, model: ModelId) -> bool {
        self.state()
            .fleet
            .gpus()
            .any(|g| g.schedulable && g.occupancy.model_id() == model)
    }

    /// How many more of each profile fit right now, per model.
    pub fn capacity(&self) -> Vec<(ModelId, Vec<(ProfileIdx, u32)>)> {
        self.state().fleet.capacity()
    }

    pub fn gpu_count(&self) -> usize {
        self.state().fleet.len()
    }

    /// Whether the index holds this slice (for tests).
    pub fn knows_slice(&self, slice_id: SliceId) -> bool {
        self.state().slice_keys.contains_key(&slice_id)
    }
}
