"""Models fitted to the stored data: gravity, scenarios, bilateral remittances."""
