//! The in-memory occupancy index the planner chooses from, mirrored from the database.
//! Correctness never depends on it being current: the `slices_no_overlap` constraint is the
//! arbiter, and on a conflict the index is rebuilt from the database and planning retried.

use crate::store;
use slicebroker_placement::{
    Decision, Fleet, GpuKey, HostKey, NoFit, PlacementRequest, Policy, SliceKey,
};
use slicebroker_types::{GpuModel, ModelId, SliceShape};
use std::collections::HashMap;
use std::sync::Mutex;
use uuid::Uuid;

/// A placement chosen and held in the index until the transaction commits or is abandoned.
#[derive(Clone, Debug)]
pub struct Reserved {
    pub slice_id: Uuid,
    pub gpu_id: Uuid,
    pub host_id: Uuid,
    pub shape: SliceShape,
    pub start: u8,
    pub size: u8,
}

#[derive(Debug, Default)]
struct State {
    fleet: Fleet,
    gpu_ids: Vec<Uuid>,
    gpu_keys: HashMap<Uuid, GpuKey>,
    host_ids: Vec<Uuid>,
    host_keys: HashMap<Uuid, HostKey>,
    slice_keys: HashMap<Uuid, SliceKey>,
    next_slice: u64,
}

impl State {
    fn slice_key(&mut self, id: Uuid) -> SliceKey {
        let key = SliceKey(self.next_slice);
        self.next_slice += 1;
        self.slice_keys.insert(id, key);
        key
    }
}

#[derive(Debug)]
pub struct PlacementIndex {
    state: Mutex<State>,
    policy: Policy,
}

impl PlacementIndex {
    pub fn new(policy: Policy) -> Self {
        Self {
            state: Mutex::new(State::default()),
            policy,
        }
    }

    /// Rebuilds the index from the database.
    pub async fn refresh(&self, db: &sqlx::PgPool) -> Result<(), sqlx::Error> {
        let gpus = store::fleet::gpus(db).await?;
        let slices = store::fleet::live_slices(db).await?;
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
            st.gpu_keys.insert(g.id, key);
        }
        for s in slices {
            let Some(&gpu) = st.gpu_keys.get(&s.gpu_id) else {
                continue;
            };
            let model = GpuModel::get(model_of(&st, gpu));
            let Some(profile) = model.profile_by_name(&s.profile) else {
                continue;
            };
            let key = st.slice_key(s.id);
            if let Err(e) = st
                .fleet
                .add_slice(gpu, key, profile, s.start as u8, s.ends_at)
            {
                tracing::error!(slice = %s.id, error = %e, "live slice does not fit its GPU");
            }
        }
        *self.state.lock().expect("index lock") = st;
        Ok(())
    }

    /// Chooses places for `count` slices (all or nothing) and holds them until
    /// [`PlacementIndex::forget`] (on rollback) — committed slices simply stay.
    pub fn reserve(
        &self,
        shapes: Vec<SliceShape>,
        count: usize,
        now: i64,
        ends_at: i64,
    ) -> Result<Vec<Reserved>, NoFit> {
        let mut st = self.state.lock().expect("index lock");
        let req = PlacementRequest {
            shapes,
            now,
            ends_at,
            hosts: None,
        };
        let decisions: Vec<Decision> = st.fleet.plan_many(&req, count, self.policy)?;
        let mut out = Vec::with_capacity(decisions.len());
        for d in decisions {
            let slice_id = Uuid::now_v7();
            let key = st.slice_key(slice_id);
            st.fleet
                .add_slice(d.gpu, key, d.shape.profile, d.placement.start, ends_at)
                .expect("plan_many proposes placements that fit together");
            out.push(Reserved {
                slice_id,
                gpu_id: st.gpu_ids[d.gpu.0 as usize],
                host_id: st.host_ids[d.host.0 as usize],
                shape: d.shape,
                start: d.placement.start,
                size: d.placement.size,
            });
        }
        Ok(out)
    }

    /// Drops slices from the index: released, or reserved but never committed.
    pub fn forget(&self, slice_ids: impl IntoIterator<Item = Uuid>) {
        let mut st = self.state.lock().expect("index lock");
        for id in slice_ids {
            if let Some(key) = st.slice_keys.remove(&id) {
                st.fleet.remove_slice(key);
            }
        }
    }

    pub fn set_end(&self, slice_ids: &[Uuid], ends_at: i64) {
        let mut st = self.state.lock().expect("index lock");
        for id in slice_ids {
            if let Some(&key) = st.slice_keys.get(id) {
                st.fleet.set_slice_end(key, ends_at);
            }
        }
    }

    /// How many more of each profile fit right now, per model.
    pub fn capacity(&self) -> Vec<(ModelId, Vec<(slicebroker_types::ProfileIdx, u32)>)> {
        self.state.lock().expect("index lock").fleet.capacity()
    }

    pub fn gpu_count(&self) -> usize {
        self.state.lock().expect("index lock").fleet.len()
    }
}

fn model_of(st: &State, gpu: GpuKey) -> ModelId {
    st.fleet
        .gpu(gpu)
        .expect("key from this fleet")
        .occupancy
        .model_id()
}
