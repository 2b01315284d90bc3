//! `nvmlReturn_t`: the codes of `nvml.h` (API v13), their names for the state file's fault
//! injection, and the strings `nvmlErrorString` returns.

use std::ffi::CStr;

/// A failed NVML call. `Success` is not one of them: calls return `Result<_, Ret>`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[repr(u32)]
pub enum Ret {
    Uninitialized = 1,
    InvalidArgument = 2,
    NotSupported = 3,
    NoPermission = 4,
    AlreadyInitialized = 5,
    NotFound = 6,
    InsufficientSize = 7,
    InsufficientPower = 8,
    DriverNotLoaded = 9,
    Timeout = 10,
    IrqIssue = 11,
    LibraryNotFound = 12,
    FunctionNotFound = 13,
    CorruptedInforom = 14,
    GpuIsLost = 15,
    ResetRequired = 16,
    OperatingSystem = 17,
    LibRmVersionMismatch = 18,
    InUse = 19,
    Memory = 20,
    NoData = 21,
    VgpuEccNotSupported = 22,
    InsufficientResources = 23,
    FreqNotSupported = 24,
    ArgumentVersionMismatch = 25,
    Deprecated = 26,
    NotReady = 27,
    GpuNotFound = 28,
    InvalidState = 29,
    ResetTypeNotSupported = 30,
    Unknown = 999,
}

pub const NVML_SUCCESS: u32 = 0;

/// `(code, nvml.h name, nvmlErrorString)`.
const TABLE: &[(Ret, &str, &CStr)] = &[
    (
        Ret::Uninitialized,
        "NVML_ERROR_UNINITIALIZED",
        c"Uninitialized",
    ),
    (
        Ret::InvalidArgument,
        "NVML_ERROR_INVALID_ARGUMENT",
        c"Invalid Argument",
    ),
    (
        Ret::NotSupported,
        "NVML_ERROR_NOT_SUPPORTED",
        c"Not Supported",
    ),
    (
        Ret::NoPermission,
        "NVML_ERROR_NO_PERMISSION",
        c"Insufficient Permissions",
    ),
    (
        Ret::AlreadyInitialized,
        "NVML_ERROR_ALREADY_INITIALIZED",
        c"Already Initialized",
    ),
    (Ret::NotFound, "NVML_ERROR_NOT_FOUND", c"Not Found"),
    (
        Ret::InsufficientSize,
        "NVML_ERROR_INSUFFICIENT_SIZE",
        c"Insufficient Size",
    ),
    (
        Ret::InsufficientPower,
        "NVML_ERROR_INSUFFICIENT_POWER",
        c"Insufficient External Power",
    ),
    (
        Ret::DriverNotLoaded,
        "NVML_ERROR_DRIVER_NOT_LOADED",
        c"Driver Not Loaded",
    ),
    (Ret::Timeout, "NVML_ERROR_TIMEOUT", c"Timeout"),
    (
        Ret::IrqIssue,
        "NVML_ERROR_IRQ_ISSUE",
        c"Interrupt request issue",
    ),
    (
        Ret::LibraryNotFound,
        "NVML_ERROR_LIBRARY_NOT_FOUND",
        c"NVML Shared Library Not Found",
    ),
    (
        Ret::FunctionNotFound,
        "NVML_ERROR_FUNCTION_NOT_FOUND",
        c"Function Not Found",
    ),
    (
        Ret::CorruptedInforom,
        "NVML_ERROR_CORRUPTED_INFOROM",
        c"Corrupted infoROM",
    ),
    (Ret::GpuIsLost, "NVML_ERROR_GPU_IS_LOST", c"GPU is lost"),
    (
        Ret::ResetRequired,
        "NVML_ERROR_RESET_REQUIRED",
        c"GPU requires restart",
    ),
    (
        Ret::OperatingSystem,
        "NVML_ERROR_OPERATING_SYSTEM",
        c"The operating system has blocked the request",
    ),
    (
        Ret::LibRmVersionMismatch,
        "NVML_ERROR_LIB_RM_VERSION_MISMATCH",
        c"RM has detected an NVML/RM version mismatch",
    ),
    (Ret::InUse, "NVML_ERROR_IN_USE", c"In use by another client"),
    (Ret::Memory, "NVML_ERROR_MEMORY", c"Insufficient Memory"),
    (Ret::NoData, "NVML_ERROR_NO_DATA", c"No data"),
    (
        Ret::VgpuEccNotSupported,
        "NVML_ERROR_VGPU_ECC_NOT_SUPPORTED",
        c"ECC is enabled",
    ),
    (
        Ret::InsufficientResources,
        "NVML_ERROR_INSUFFICIENT_RESOURCES",
        c"Insufficient Resources",
    ),
    (
        Ret::FreqNotSupported,
        "NVML_ERROR_FREQ_NOT_SUPPORTED",
        c"Frequency not supported",
    ),
    (
        Ret::ArgumentVersionMismatch,
        "NVML_ERROR_ARGUMENT_VERSION_MISMATCH",
        c"Argument version mismatch",
    ),
    (Ret::Deprecated, "NVML_ERROR_DEPRECATED", c"Deprecated"),
    (Ret::NotReady, "NVML_ERROR_NOT_READY", c"Not ready"),
    (
        Ret::GpuNotFound,
        "NVML_ERROR_GPU_NOT_FOUND",
        c"GPU not found",
    ),
    (
        Ret::InvalidState,
        "NVML_ERROR_INVALID_STATE",
        c"Invalid state",
    ),
    (
        Ret::ResetTypeNotSupported,
        "NVML_ERROR_RESET_TYPE_NOT_SUPPORTED",
        c"Reset type not supported",
    ),
    (Ret::Unknown, "NVML_ERROR_UNKNOWN", c"Unknown Error"),
];

impl Ret {
    pub fn code(self) -> u32 {
        self as u32
    }

    /// Its `nvml.h` name, e.g. `NVML_ERROR_IN_USE`.
    pub fn name(self) -> &'static str {
        TABLE.iter().find(|(r, ..)| *r == self).map_or("?", |t| t.1)
    }

    /// From an `nvml.h` name, as fault injection spells it.
    pub fn from_name(name: &str) -> Option<Ret> {
        TABLE.iter().find(|(_, n, _)| *n == name).map(|t| t.0)
    }

    pub fn from_code(code: u32) -> Option<Ret> {
        TABLE.iter().find(|(r, ..)| r.code() == code).map(|t| t.0)
    }
}

/// `nvmlErrorString`: a static string for every code, `Success` for 0.
pub fn error_string(code: u32) -> &'static CStr {
    if code == NVML_SUCCESS {
        return c"Success";
    }
    Ret::from_code(code).map_or(c"Unknown Error", |r| {
        TABLE
            .iter()
            .find(|(t, ..)| *t == r)
            .map_or(c"Unknown Error", |t| t.2)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_codes_and_strings_round_trip() {
        for &(ret, name, _) in TABLE {
            assert_eq!(Ret::from_name(name), Some(ret));
            assert_eq!(Ret::from_code(ret.code()), Some(ret));
            assert_eq!(ret.name(), name);
        }
        assert_eq!(Ret::InUse.code(), 19);
        assert_eq!(Ret::InsufficientResources.code(), 23);
        assert_eq!(error_string(19), c"In use by another client");
        assert_eq!(error_string(0), c"Success");
        assert_eq!(error_string(12345), c"Unknown Error");
    }
}
