"""Activity's contract: the care (visits, activities, the five ones and the care tier), micro-wishes, giving (donors, funds, gift packs), concerns and reminders."""
