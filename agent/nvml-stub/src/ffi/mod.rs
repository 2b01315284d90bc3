//! The exported C entry points and what they share: the library's init count, the handle
//! registry, one wrapper that runs each call against the state file (init check, file lock,
//! injected faults, panics turned into `NVML_ERROR_UNKNOWN`), and the few helpers that touch
//! the caller's memory. Every dereference of a caller's pointer happens in those helpers.
//!
//! Handles are opaque numbers dressed as pointers and looked up in a registry, never
//! dereferenced, so a stale or foreign handle is `NVML_ERROR_INVALID_ARGUMENT`, not a crash.

mod device;
mod gpm;
mod health;
mod mig;
pub mod types;

use crate::ret::Ret;
use crate::state::{Lock, STATE_ENV, STATE_FILE_NAME, State};
use std::collections::HashMap;
use std::ffi::{CStr, c_char, c_uint};
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::path::{Path, PathBuf};
use std::sync::{LazyLock, Mutex, MutexGuard};
use std::time::{Duration, Instant};
use types::nvmlReturn_t;

/// What a handle stands for. Instances carry the serial they were created with, so a handle
/// outlives its instance only as an invalid handle.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub(crate) enum Obj {
    Device {
        gpu: String,
    },
    GpuInstance {
        gpu: String,
        id: u32,
        serial: u64,
    },
    ComputeInstance {
        gpu: String,
        gi: u32,
        id: u32,
        serial: u64,
    },
    /// The MIG device of a compute instance (an `nvmlDevice_t`).
    MigDevice {
        gpu: String,
        gi: u32,
        ci: u32,
        serial: u64,
    },
    GpmSample(u64),
    /// An `nvmlEventSet_t`.
    EventSet(u64),
}

#[derive(Debug, Default)]
pub(crate) struct Handles {
    by_value: HashMap<usize, Obj>,
    by_obj: HashMap<Obj, usize>,
    next: usize,
}

/// Handle values start here, 64 apart: recognisable in a debugger, never null.
const HANDLE_BASE: usize = 0x5b_0000;

impl Handles {
    /// The handle for `obj`, the same value every time it is asked for.
    pub(crate) fn of(&mut self, obj: Obj) -> usize {
        if let Some(&v) = self.by_obj.get(&obj) {
            return v;
        }
        self.next += 1;
        let v = HANDLE_BASE + self.next * 64;
        self.by_value.insert(v, obj.clone());
        self.by_obj.insert(obj, v);
        v
    }

    pub(crate) fn get(&self, value: usize) -> Result<&Obj, Ret> {
        self.by_value.get(&value).ok_or(Ret::InvalidArgument)
    }

    pub(crate) fn forget(&mut self, value: usize) {
        if let Some(obj) = self.by_value.remove(&value) {
            self.by_obj.remove(&obj);
        }
    }
}

/// A GPM sample buffer: empty until a sample is read into it.
#[derive(Clone, Debug)]
pub(crate) struct Sample {
    pub gpu: String,
    pub gpu_instance: Option<u32>,
    pub activity: f64,
}

#[derive(Debug, Default)]
struct Library {
    inits: u32,
    state: Option<PathBuf>,
    handles: Handles,
    samples: HashMap<u64, Option<Sample>>,
    next_sample: u64,
    /// Event sets by number, with the GPUs (UUIDs) registered on each.
    event_sets: HashMap<u64, Vec<String>>,
    next_event_set: u64,
}

static LIBRARY: LazyLock<Mutex<Library>> = LazyLock::new(Mutex::default);

fn library() -> MutexGuard<'static, Library> {
    LIBRARY
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner())
}

/// What an entry point works on: the host's state (written back if changed) and the handles.
pub(crate) struct Ctx<'a> {
    pub state: &'a mut State,
    pub handles: &'a mut Handles,
    pub samples: &'a mut HashMap<u64, Option<Sample>>,
    pub next_sample: &'a mut u64,
    pub event_sets: &'a mut HashMap<u64, Vec<String>>,
    pub next_event_set: &'a mut u64,
}

/// Runs one NVML call: `NVML_ERROR_UNINITIALIZED` before `nvmlInit_v2`, an injected fault if
/// one is due, else `body` on the state under the state file's lock.
pub(crate) fn call(name: &str, body: impl FnOnce(&mut Ctx<'_>) -> Result<(), Ret>) -> nvmlReturn_t {
    match catch_unwind(AssertUnwindSafe(|| run(name, body))) {
        Ok(Ok(())) => crate::ret::NVML_SUCCESS,
        Ok(Err(ret)) => ret.code(),
        Err(_) => Ret::Unknown.code(),
    }
}

fn run(name: &str, body: impl FnOnce(&mut Ctx<'_>) -> Result<(), Ret>) -> Result<(), Ret> {
    let path = {
        let lib = library();
        if lib.inits == 0 {
            return Err(Ret::Uninitialized);
        }
        lib.state.clone().ok_or(Ret::Uninitialized)?
    };
    wait_while_stalled(name, &path)?;
    let _lock = Lock::exclusive(&path).map_err(|_| Ret::Unknown)?;
    let mut state = State::load(&path).map_err(|_| Ret::Unknown)?;
    let before = state.clone();
    let result = match take_fault(&mut state, name) {
        Some(ret) => Err(ret),
        None => {
            let mut lib = library();
            let lib = &mut *lib;
            body(&mut Ctx {
                state: &mut state,
                handles: &mut lib.handles,
                samples: &mut lib.samples,
                next_sample: &mut lib.next_sample,
                event_sets: &mut lib.event_sets,
                next_event_set: &mut lib.next_event_set,
            })
        }
    };
    if state != before {
        state.write(&path).map_err(|_| Ret::Unknown)?;
    }
    result
}

/// The next injected failure of `name`, counted down.
fn take_fault(state: &mut State, name: &str) -> Option<Ret> {
    let fault = state
        .faults
        .iter_mut()
        .find(|f| f.call == name && !f.stall && f.times > 0)?;
    fault.times -= 1;
    let ret = fault
        .returns
        .as_deref()
        .and_then(Ret::from_name)
        .unwrap_or(Ret::Unknown);
    state.faults.retain(|f| f.stall || f.times > 0);
    Some(ret)
}

/// How long a stalled call waits for its stall to be released.
const STALL_LIMIT: Duration = Duration::from_secs(120);

/// Blocks while a `stall` fault names this call: the hardware stand-in for a driver call that
/// takes long, so a test can kill its caller in the middle.
fn wait_while_stalled(name: &str, path: &Path) -> Result<(), Ret> {
    let started = Instant::now();
    loop {
        let stalled = {
            let _lock = Lock::exclusive(path).map_err(|_| Ret::Unknown)?;
            let state = State::load(path).map_err(|_| Ret::Unknown)?;
            state.faults.iter().any(|f| f.stall && f.call == name)
        };
        if !stalled {
            return Ok(());
        }
        if started.elapsed() > STALL_LIMIT {
            return Err(Ret::Timeout);
        }
        std::thread::sleep(Duration::from_millis(20));
    }
}

/// Where this library's state file is: `$SLICEBROKER_NVML_STUB_STATE`, else beside the library.
fn state_path() -> Option<PathBuf> {
    if let Some(path) = std::env::var_os(STATE_ENV).filter(|p| !p.is_empty()) {
        return Some(PathBuf::from(path));
    }
    own_path().map(|lib| lib.with_file_name(STATE_FILE_NAME))
}

/// The file this library was loaded from: the mapping of `/proc/self/maps` holding its code.
fn own_path() -> Option<PathBuf> {
    let here = own_path as fn() -> Option<PathBuf> as usize;
    let maps = std::fs::read_to_string("/proc/self/maps").ok()?;
    maps.lines().find_map(|line| {
        let mut fields = line.split_whitespace();
        let (lo, hi) = fields.next()?.split_once('-')?;
        let (lo, hi) = (
            usize::from_str_radix(lo, 16).ok()?,
            usize::from_str_radix(hi, 16).ok()?,
        );
        let path = fields.nth(4)?;
        (lo <= here && here < hi && path.starts_with('/')).then(|| PathBuf::from(path))
    })
}

fn init() -> nvmlReturn_t {
    let outcome = catch_unwind(|| {
        let mut lib = library();
        let path = match &lib.state {
            Some(p) => p.clone(),
            None => state_path().ok_or(Ret::DriverNotLoaded)?,
        };
        if let Err(e) = State::load(&path) {
            // A library does not print, but a stub with no host is a setup mistake to name.
            eprintln!("nvml-stub: no usable state file ({e}); set {STATE_ENV}");
            return Err(Ret::DriverNotLoaded);
        }
        lib.state = Some(path);
        lib.inits += 1;
        Ok(())
    });
    match outcome {
        Ok(Ok(())) => {
            // A fault injected into init leaves NVML uninitialized, as a failed init does.
            let code = call("nvmlInit_v2", |_| Ok(()));
            if code != crate::ret::NVML_SUCCESS {
                library().inits -= 1;
            }
            code
        }
        Ok(Err(ret)) => ret.code(),
        Err(_) => Ret::Unknown.code(),
    }
}

/// Points the library at a state file before `nvmlInit_v2`, for this crate's own tests (the
/// environment is process-wide, and a test binary is not a library file to sit beside).
#[cfg(test)]
pub(crate) fn use_state_file(path: &Path) {
    library().state = Some(path.to_owned());
}

/// Starts NVML: finds the state file and counts the initialization.
#[unsafe(no_mangle)]
pub extern "C" fn nvmlInit_v2() -> nvmlReturn_t {
    init()
}

/// As `nvmlInit_v2`; the flags (no GPUs, no attach) change nothing for the stub.
#[unsafe(no_mangle)]
pub extern "C" fn nvmlInitWithFlags(_flags: c_uint) -> nvmlReturn_t {
    init()
}

/// Ends one initialization; after the last, every handle is invalid.
#[unsafe(no_mangle)]
pub extern "C" fn nvmlShutdown() -> nvmlReturn_t {
    let mut lib = library();
    if lib.inits == 0 {
        return Ret::Uninitialized.code();
    }
    lib.inits -= 1;
    if lib.inits == 0 {
        *lib = Library::default();
    }
    crate::ret::NVML_SUCCESS
}

/// A static string for every return code.
#[unsafe(no_mangle)]
pub extern "C" fn nvmlErrorString(result: nvmlReturn_t) -> *const c_char {
    crate::ret::error_string(result).as_ptr()
}

/// Converts a handle value into the pointer type NVML hands out.
pub(crate) fn handle<T>(value: usize) -> *mut T {
    std::ptr::without_provenance_mut(value)
}

/// Writes `value` to the caller's out-parameter.
///
/// # Safety
///
/// `out` is null or valid for a write of one `T`, as nvml.h requires of every out-parameter.
pub(crate) unsafe fn put<T>(out: *mut T, value: T) -> Result<(), Ret> {
    if out.is_null() {
        return Err(Ret::InvalidArgument);
    }
    // SAFETY: not null, and the caller guarantees it points to writable memory for a `T`.
    unsafe { out.write(value) };
    Ok(())
}

/// Reads the caller's in-parameter (or the `version` an in/out struct starts with).
///
/// # Safety
///
/// `ptr` is null or valid for a read of one `T`.
pub(crate) unsafe fn get<T: Copy>(ptr: *const T) -> Result<T, Ret> {
    if ptr.is_null() {
        return Err(Ret::InvalidArgument);
    }
    // SAFETY: not null, and the caller guarantees it points to a readable, initialized `T`.
    Ok(unsafe { ptr.read() })
}

/// Writes `items` to the caller's array.
///
/// # Safety
///
/// `out` is valid for writes of `items.len()` values of `T`; the entry point checked the
/// capacity the caller declared.
pub(crate) unsafe fn put_all<T: Copy>(out: *mut T, items: &[T]) -> Result<(), Ret> {
    if out.is_null() {
        return Err(Ret::InvalidArgument);
    }
    for (i, item) in items.iter().enumerate() {
        // SAFETY: `i < items.len()`, within the capacity the caller declared for `out`.
        unsafe { out.add(i).write(*item) };
    }
    Ok(())
}

/// Copies `text` and its terminating NUL into the caller's buffer of `length` bytes:
/// `NVML_ERROR_INSUFFICIENT_SIZE` if it does not fit, as NVML's string getters say.
///
/// # Safety
///
/// `buf` is null or valid for writes of `length` bytes.
pub(crate) unsafe fn put_str(buf: *mut c_char, length: c_uint, text: &str) -> Result<(), Ret> {
    if buf.is_null() {
        return Err(Ret::InvalidArgument);
    }
    if text.len() + 1 > length as usize {
        return Err(Ret::InsufficientSize);
    }
    for (i, b) in text.bytes().chain([0]).enumerate() {
        // SAFETY: `i <= text.len() < length`, inside the caller's buffer.
        unsafe { buf.add(i).write(b as c_char) };
    }
    Ok(())
}

/// Reads a NUL-terminated string argument.
///
/// # Safety
///
/// `text` is null or points to a NUL-terminated string.
pub(crate) unsafe fn get_str(text: *const c_char) -> Result<String, Ret> {
    if text.is_null() {
        return Err(Ret::InvalidArgument);
    }
    // SAFETY: not null and NUL-terminated, as the caller guarantees.
    let text = unsafe { CStr::from_ptr(text) };
    text.to_str()
        .map(str::to_owned)
        .map_err(|_| Ret::InvalidArgument)
}

/// A fixed-size C string field (a name in a struct NVML fills), NUL-padded and truncated.
pub(crate) fn c_array<const N: usize>(text: &str) -> [c_char; N] {
    let mut out = [0 as c_char; N];
    for (o, b) in out.iter_mut().zip(text.bytes().take(N - 1)) {
        *o = b as c_char;
    }
    out
}

#[cfg(test)]
mod tests;
