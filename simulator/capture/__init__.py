"""Packet captures of lessons: the trace as a pcap Wireshark opens, with real TLS and its key log."""

from simulator.capture.export import CaptureError, CaptureSummary, check_paths, export_lesson, write_capture

__all__ = ["CaptureError", "CaptureSummary", "check_paths", "export_lesson", "write_capture"]
