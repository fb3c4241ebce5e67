"""The record explainers live with the narrators (the trace layer); re-exported here for the checks."""

from simulator.trace.narrate.authrecords import POLICY_MEANING, dkim_key_record, dmarc_record, spf_record, spf_term

__all__ = ["POLICY_MEANING", "dkim_key_record", "dmarc_record", "spf_record", "spf_term"]
