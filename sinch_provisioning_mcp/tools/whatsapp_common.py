"""What the WhatsApp tool modules share: value types and the region × business-manager rule."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import Field, field_validator
from pydantic_core.core_schema import ValidationInfo

from sinch_provisioning_mcp.tools.spec import Arguments

Region = Literal["BR", "EU", "US"]
MetaLocalStorage = Literal["AE", "AU", "BH", "BR", "CA", "CH", "DE", "GB", "ID", "IN", "JP", "KR", "SG", "US", "ZA"]
SenderManager = Literal["SINCH_BR", "SINCH_MX", "SINCH_UK"]
AccountManager = Literal["SINCH_AMERICA", "SINCH_BR", "SINCH_MX", "SINCH_SEP", "SINCH_UK"]
Vertical = Literal[
    "ALCOHOL", "AUTOMOTIVE", "BEAUTY_SPA_SALON", "CLOTHING_AND_APPAREL", "EDUCATION", "ENTERTAINMENT",
    "EVENT_PLANNING_AND_SERVICE", "FINANCE_AND_BANKING", "FOOD_AND_GROCERY", "HOTEL_AND_LODGING",
    "MEDICAL_AND_HEALTH", "NON_PROFIT", "ONLINE_GAMBLING", "OTC_DRUGS", "OTHER", "PHYSICAL_GAMBLING",
    "PROFESSIONAL_SERVICES", "PUBLIC_SERVICE", "RESTAURANT", "SHOPPING_AND_RETAIL", "TRAVEL_AND_TRANSPORTATION",
]  # fmt: skip
# The account's first-sender category: the verticals but ONLINE_GAMBLING (catalog note).
BusinessCategory = Literal[
    "ALCOHOL", "AUTOMOTIVE", "BEAUTY_SPA_SALON", "CLOTHING_AND_APPAREL", "EDUCATION", "ENTERTAINMENT",
    "EVENT_PLANNING_AND_SERVICE", "FINANCE_AND_BANKING", "FOOD_AND_GROCERY", "HOTEL_AND_LODGING",
    "MEDICAL_AND_HEALTH", "NON_PROFIT", "OTC_DRUGS", "OTHER", "PHYSICAL_GAMBLING",
    "PROFESSIONAL_SERVICES", "PUBLIC_SERVICE", "RESTAURANT", "SHOPPING_AND_RETAIL", "TRAVEL_AND_TRANSPORTATION",
]  # fmt: skip

Name255 = Annotated[str, Field(min_length=1, max_length=255)]

# Sinch's sender-creation matrix (catalog summary and OAS 1.2.117): which business managers
# serve which region; US takes any.
MANAGERS_BY_REGION = {"BR": ("SINCH_BR", "SINCH_MX"), "EU": ("SINCH_UK",)}


def check_region_manager(region: str | None, manager: str | None) -> None:
    """ValueError naming what is allowed when `manager` cannot serve `region`."""
    allowed = MANAGERS_BY_REGION.get(region or "")
    if manager is not None and allowed is not None and manager not in allowed:
        raise ValueError(f"region {region} is served by business manager {' or '.join(allowed)}; US takes any")


class Placement(Arguments):
    """Where a sender lives; the business manager must serve the region."""

    region: Region | None = None
    meta_local_storage: MetaLocalStorage | None = None
    business_manager: SenderManager | None = None

    @field_validator("business_manager")
    @classmethod
    def _served(cls, manager: str | None, info: ValidationInfo) -> str | None:
        check_region_manager(info.data.get("region"), manager)
        return manager
