from enum import StrEnum

class NvmlProfileIndex(StrEnum):
    SLICE1 = "Slice1"
    SLICE1ALLME = "Slice1AllMe"
    SLICE1GFX = "Slice1Gfx"
    SLICE1NOME = "Slice1NoMe"
    SLICE1REV1 = "Slice1Rev1"
    SLICE1REV2 = "Slice1Rev2"
    SLICE2 = "Slice2"
    SLICE2ALLME = "Slice2AllMe"
    SLICE2GFX = "Slice2Gfx"
    SLICE2NOME = "Slice2NoMe"
    SLICE2REV1 = "Slice2Rev1"
    SLICE3 = "Slice3"
    SLICE3GFX = "Slice3Gfx"
    SLICE4 = "Slice4"
    SLICE4GFX = "Slice4Gfx"
    SLICE6 = "Slice6"
    SLICE7 = "Slice7"
    SLICE8 = "Slice8"

    def __str__(self) -> str:
        return str(self.value)
