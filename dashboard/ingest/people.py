"""Personal data: leads that are the same person are merged, and e-mail and phone are
hashed with the workspace's key (or dropped) before anything is stored.
"""

from __future__ import annotations

import hashlib
import hmac

import polars as pl

from dashboard.ingest.load_options import Options
from dashboard.schema import Table


def normalise_email(series: pl.Series) -> pl.Series:
    """Lower-cased, trimmed e-mail; empty -> null."""
    return series.cast(pl.String).str.strip_chars().str.to_lowercase().replace("", None)


def normalise_phone(series: pl.Series) -> pl.Series:
    """Digits only, with a Vietnamese leading 0 and +84 read as the same number."""
    digits = pl.col("p").cast(pl.String).str.replace_all(r"[^0-9]", "")
    national = (
        pl.when(digits.str.starts_with("84") & (digits.str.len_chars() >= 11))
        .then(pl.lit("0") + digits.str.slice(2))
        .otherwise(digits)
    )
    return pl.DataFrame({"p": series}).select(national.replace("", None)).to_series()


def keyed_hash(series: pl.Series, key: bytes) -> pl.Series:
    """HMAC-SHA256 hex of each non-null value under ``key`` (the raw value is never stored).

    The hashes only de-duplicate and match people across loads made with the same key;
    without the key they cannot be checked against guessed values.
    """
    # plain Python over the values, not a callback inside Polars: the Data page loads in a
    # page thread, where a Python callback inside Polars can deadlock the server
    return pl.Series(
        series.name,
        [
            None if v is None else hmac.new(key, v.encode("utf-8"), hashlib.sha256).hexdigest()
            for v in series.to_list()
        ],
        dtype=pl.String,
    )


MERGE_SCHEMA = {"merged_lead_id": pl.String, "kept_lead_id": pl.String, "matched_on": pl.String}


# the attribution columns that duplicate_source decides (first touch or last touch)
ATTRIBUTION_COLUMNS = ("source", "campaign")


def dedupe_people(
    frame: pl.DataFrame, *, source_from: str = "first"
) -> tuple[pl.DataFrame, pl.DataFrame]:
    """Merge leads that are the same person (same normalised e-mail, else same phone).

    The earliest-created lead of a group is kept (ties: smallest lead_id); it takes the
    earliest of each stage timestamp and the first non-empty value of every other column
    from the group, so a stage reached under a duplicate record is not lost. Source and
    campaign come from the earliest lead with one (``source_from="first"``) or the latest
    (``"latest"``), so a team can credit the first or the last touch. Returns the
    de-duplicated frame and the merges (merged_lead_id -> kept_lead_id), which the
    workspace uses to point deals and activities at the kept lead.
    """
    merges: list[pl.DataFrame] = []
    for column, normalise in (("email", normalise_email), ("phone", normalise_phone)):
        if column not in frame.columns:
            continue
        key = normalise(frame[column]).alias("_person")
        keyed = frame.with_columns(key)
        dup_mask = keyed["_person"].is_not_null() & keyed["_person"].is_duplicated()
        if not dup_mask.any():
            continue
        dups = keyed.filter(dup_mask).sort(["_person", "created_at", "lead_id"])
        kept = dups.group_by("_person", maintain_order=True).agg(
            pl.col("lead_id").first().alias("kept_lead_id"), pl.col("lead_id").alias("_ids")
        )
        merged = (
            kept.explode("_ids")
            .filter(pl.col("_ids") != pl.col("kept_lead_id"))
            .select(
                pl.col("_ids").alias("merged_lead_id"),
                "kept_lead_id",
                pl.lit(column).alias("matched_on"),
            )
        )
        aggs = []
        for name in frame.columns:
            if name == "lead_id":
                aggs.append(pl.col(name).first())
            elif name.endswith("_at"):
                aggs.append(pl.col(name).min())
            elif name in ATTRIBUTION_COLUMNS and source_from == "latest":
                aggs.append(pl.col(name).drop_nulls().last())
            else:
                aggs.append(pl.col(name).drop_nulls().first())
        combined = dups.group_by("_person", maintain_order=True).agg(aggs).drop("_person")
        frame = pl.concat(
            [keyed.filter(~dup_mask).drop("_person"), combined.select(frame.columns)],
            how="vertical_relaxed",
        )
        merges.append(merged)
    if not merges:
        return frame, pl.DataFrame(schema=MERGE_SCHEMA)
    return frame, pl.concat(merges)


def protect_personal_data(
    frame: pl.DataFrame, table: Table, options: Options, notes: list[str], file: str
) -> pl.DataFrame:
    """Replace raw e-mail / phone with salted hashes (or drop them) before anything is stored."""
    if table.name != "leads":
        return frame
    done = "hashed" if options.personal_data == "hash" else "dropped"
    for column, normalise, what in (
        ("email", normalise_email, "e-mail addresses"),
        ("phone", normalise_phone, "phone numbers"),
    ):
        if column not in frame.columns:
            continue
        if options.personal_data == "hash":
            hashed = keyed_hash(normalise(frame[column]), options.key)
            frame = frame.with_columns(hashed.alias(f"{column}_hash"))
        frame = frame.drop(column)
        notes.append(f"{file}: {what} {done}; raw values are not stored")
    return frame
