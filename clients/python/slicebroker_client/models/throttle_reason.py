from enum import StrEnum

class ThrottleReason(StrEnum):
    APPLICATIONS_CLOCKS_SETTING = "applications_clocks_setting"
    DISPLAY_CLOCK_SETTING = "display_clock_setting"
    GPU_IDLE = "gpu_idle"
    HW_POWER_BRAKE_SLOWDOWN = "hw_power_brake_slowdown"
    HW_SLOWDOWN = "hw_slowdown"
    HW_THERMAL_SLOWDOWN = "hw_thermal_slowdown"
    SW_POWER_CAP = "sw_power_cap"
    SW_THERMAL_SLOWDOWN = "sw_thermal_slowdown"
    SYNC_BOOST = "sync_boost"

    def __str__(self) -> str:
        return str(self.value)
