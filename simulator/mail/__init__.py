"""Message content: building, the headers servers add, and DSNs (RFC 3464)."""
