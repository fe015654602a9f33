"""Time bank: accounts, transfers, the community chest."""
