"""The fault suite: milepost on hostile and broken vaults, as real processes."""
