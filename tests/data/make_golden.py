#!/usr/bin/env python3
"""Writes the golden wire data read by the native (doctest) and Node tests, and the fuzzers' seeds.

    python3 tests/data/make_golden.py

Outputs (all committed; re-run after changing a case and commit the result):
  tests/data/frames.json            binary data frames (wasm/include/cieloweb/frame.hpp), good and bad
  tests/data/control_messages.json  JSON control messages (wasm/include/cieloweb/control.hpp)
  tests/data/resume_states.json     resume states (wasm/include/cieloweb/resume.hpp), good and bad
  tests/fuzz/corpus/fuzz_frame/     seeds: the golden frames
  tests/fuzz/corpus/fuzz_control/   seeds: the golden control texts and resume states
  tests/fuzz/corpus/fuzz_receiver/  seeds: op sequences in the format parsed by fuzz_receiver.cpp

Every "expect" is "ok" or the error_name() of the ErrorCode the decoder must return (result.hpp).
Python 3 standard library only.
"""

import json
import os
import struct

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))

# ---------------------------------------------------------------------------------------------------
# Frames. Layout v1, little-endian: u8 type, u8 version, u16 flags, u32 transfer_id, u32 block_index,
# u32 fragment_offset, u32 encoded_length, u32 raw_length, u32 payload_length, 32 B block_check, payload.

HEADER_BYTES = 60
FLAG_COMPRESSED = 1
MIB16 = 1 << 24
CHECK = bytes(range(32))  # any 32 bytes: decode() does not verify the check, the receiver does

# `printf 'hello hello hello hello hello hello cieloweb' | zstd -1 --no-check -c`: a real zstd frame
# (without a declared content size) of the 44-byte text below.
HELLO_RAW = b"hello hello hello hello hello hello cieloweb"
HELLO_ZSTD = bytes.fromhex("28b52ffd0048a500007068656c6c6f206369656c6f7765620100114b11")


def frame(payload=b"", *, type_=1, version=1, flags=0, transfer_id=7, block_index=0,
          fragment_offset=0, encoded_length=None, raw_length=None, payload_length=None,
          check=CHECK):
    """One frame; lengths default to "the payload is the whole raw block"."""
    if encoded_length is None:
        encoded_length = len(payload)
    if raw_length is None:
        raw_length = encoded_length
    if payload_length is None:
        payload_length = len(payload)
    header = struct.pack("<BBHIIIIII", type_, version, flags, transfer_id, block_index,
                         fragment_offset, encoded_length, raw_length, payload_length)
    assert len(header) + len(check) == HEADER_BYTES
    return header + check + payload


def good(name, data, **fields):
    (_, _, flags, transfer_id, block_index, fragment_offset, encoded_length, raw_length,
     _) = struct.unpack_from("<BBHIIIIII", data)
    case = {"name": name, "hex": data.hex(), "expect": "ok",
            "transfer_id": transfer_id, "block_index": block_index,
            "fragment_offset": fragment_offset, "encoded_length": encoded_length,
            "raw_length": raw_length, "compressed": bool(flags & FLAG_COMPRESSED),
            "block_check_hex": data[28:HEADER_BYTES].hex(), "payload_hex": data[HEADER_BYTES:].hex()}
    case.update(fields)
    return case


def bad(name, data, expect):
    return {"name": name, "hex": data.hex(), "expect": expect}


def frame_cases():
    text16 = b"hello, cieloweb!"
    middle = bytes(range(100, 124))  # 24 bytes
    ok = [
        good("raw_single_fragment", frame(text16, transfer_id=7, block_index=0)),
        good("compressed_fragment",
             frame(HELLO_ZSTD, flags=FLAG_COMPRESSED, transfer_id=42, block_index=3,
                   raw_length=len(HELLO_RAW))),
        good("middle_fragment_with_offset",
             frame(middle, transfer_id=0xDEADBEEF, block_index=812, fragment_offset=1000,
                   encoded_length=4096)),
        good("last_fragment_ends_exactly_at_encoded_length",
             frame(middle, block_index=1, fragment_offset=4096 - len(middle), encoded_length=4096)),
        good("raw_length_exactly_16_mib",
             frame(b"\x00" * 8, fragment_offset=MIB16 - 8, encoded_length=MIB16)),
        good("max_u32_ids", frame(b"x", transfer_id=0xFFFFFFFF, block_index=0xFFFFFFFF)),
    ]
    full = frame(text16)
    errors = [
        bad("empty", b"", "truncated"),
        bad("one_byte", b"\x01", "truncated"),
        bad("truncated_header_59_bytes", full[:HEADER_BYTES - 1], "truncated"),
        bad("wrong_version_2", frame(text16, version=2), "unsupported_version"),
        bad("wrong_version_0", frame(text16, version=0), "unsupported_version"),
        bad("unknown_type_9", frame(text16, type_=9), "unknown_type"),
        bad("unknown_type_0", frame(text16, type_=0), "unknown_type"),
        bad("unknown_flag_bit_1", frame(text16, flags=0x0002), "field_out_of_range"),
        bad("unknown_flag_bit_15", frame(text16, flags=0x8001), "field_out_of_range"),
        bad("payload_length_too_long", frame(text16, payload_length=len(text16) + 1),
            "length_mismatch"),
        bad("payload_length_too_short", frame(text16, payload_length=len(text16) - 1),
            "length_mismatch"),
        bad("payload_length_huge", frame(text16, payload_length=0xFFFFFFFF), "length_mismatch"),
        bad("zero_payload_header_only", frame(b"", encoded_length=16), "field_out_of_range"),
        # The decoder files raw_length 0 under too_large (one range check for 0 and the limit).
        bad("raw_length_0", frame(text16, flags=FLAG_COMPRESSED, raw_length=0), "too_large"),
        bad("raw_length_over_16_mib",
            frame(text16, encoded_length=MIB16 + 1, raw_length=MIB16 + 1), "too_large"),
        bad("encoded_length_0_compressed",
            frame(text16, flags=FLAG_COMPRESSED, encoded_length=0, raw_length=100), "too_large"),
        bad("encoded_length_over_limit_compressed",
            frame(text16, flags=FLAG_COMPRESSED, encoded_length=MIB16 + (1 << 16) + 1,
                  raw_length=MIB16), "too_large"),
        bad("uncompressed_encoded_differs_from_raw",
            frame(text16, encoded_length=16, raw_length=17), "length_mismatch"),
        bad("fragment_past_encoded_length",
            frame(text16, fragment_offset=4096 - 15, encoded_length=4096), "length_mismatch"),
        bad("payload_longer_than_encoded_block",
            frame(text16, encoded_length=15, raw_length=15), "length_mismatch"),
        # 0xFFFFFFF8 + 16 wraps to 8 in 32-bit arithmetic, which would pass a naive check.
        bad("fragment_offset_near_2_32_overflow",
            frame(text16, fragment_offset=0xFFFFFFF8, encoded_length=4096), "length_mismatch"),
        bad("fragment_offset_max_u32",
            frame(text16, flags=FLAG_COMPRESSED, fragment_offset=0xFFFFFFFF,
                  encoded_length=MIB16, raw_length=MIB16), "length_mismatch"),
    ]
    return ok + errors


# ---------------------------------------------------------------------------------------------------
# Control messages: {"v": 1, "type": ..., "transfer": u32, ...} (control.hpp).

EMPTY_HASH = "af1349b9f5f9a1a6a0404dea36dcc9499bcb25c9adc112b7cc9a93cae41f3262"  # BLAKE3("")


def msg(type_, transfer=1, **fields):
    m = {"v": 1, "type": type_, "transfer": transfer}
    m.update(fields)
    return json.dumps(m, separators=(",", ":"), ensure_ascii=False)


def offer(name="photos/cat.jpg", **over):
    fields = {"name": name, "size": 1048577, "mtime_ms": 1700000000000,
              "first_block": EMPTY_HASH, "block_size": 1 << 20}
    fields.update(over)
    return msg("offer", **fields)


def ok_case(name, text, type_, transfer=1, **check):
    case = {"name": name, "text": text, "expect": "ok", "type": type_, "transfer": transfer}
    case.update(check)
    return case


def err_case(name, text, expect):
    return {"name": name, "text": text, "expect": expect}


def err_case_bytes(name, data, expect):
    """A message that is not valid UTF-8 cannot be a JSON string: given as hex bytes instead."""
    return {"name": name, "text_hex": data.hex(), "expect": expect}


def nested(levels):
    """An extra field nested `levels` deep in total (the message object itself is level 1)."""
    inner = "[" * (levels - 1) + "]" * (levels - 1)
    return '{"v":1,"type":"cancel","transfer":1,"x":' + inner + "}"


def channel_msg(type_, **fields):
    """The channel's own messages (hello, batch) carry no transfer id."""
    m = {"v": 1, "type": type_}
    m.update(fields)
    return json.dumps(m, separators=(",", ":"), ensure_ascii=False)


def batch(files=None, batch_id="b-1", **over):
    fields = {"batch": batch_id,
              "files": files if files is not None else [{"transfer": 5, "path": "a/b.txt",
                                                         "size": 10}]}
    fields.update(over)
    return channel_msg("batch", **fields)


def batch_file(transfer=1, path="a", size=1):
    return {"transfer": transfer, "path": path, "size": size}


def channel_cases():
    # The limits on a whole batch (10000 files, 4 MiB) are tested by building such batches in the
    # tests themselves (control_test.cpp, golden.test.mjs): megabytes do not belong in this file.
    ok = [
        ok_case("hello", channel_msg("hello"), "hello", transfer=0, reply=False),
        ok_case("hello_reply", channel_msg("hello", reply=True), "hello", transfer=0, reply=True),
        ok_case("hello_with_stray_transfer", channel_msg("hello", transfer=9), "hello", transfer=0,
                reply=False),
        ok_case("batch", batch(), "batch", transfer=0, batch="b-1", files=1),
        ok_case("batch_three_files", batch([batch_file(1, "x"), batch_file(2, "y/z", 7),
                                            batch_file(3, "x", 0)], batch_id="A_z-09"),
                "batch", transfer=0, batch="A_z-09", files=3),
        ok_case("batch_id_64_chars", batch(batch_id="x" * 64), "batch", transfer=0,
                batch="x" * 64, files=1),
        ok_case("batch_size_exactly_2_50", batch([batch_file(size=1 << 50)]), "batch", transfer=0,
                batch="b-1", files=1),
        ok_case("batch_max_transfer_id_unicode_path",
                batch([batch_file(4294967295, "Fotos/niño 🐈.txt", 0)]), "batch", transfer=0,
                batch="b-1", files=1),
        ok_case("batch_path_4096_bytes", batch([batch_file(path="p" * 4096)]), "batch",
                transfer=0, batch="b-1", files=1),
    ]
    errors = [
        err_case("hello_reply_not_boolean", channel_msg("hello", reply=1), "wrong_type"),
        err_case("hello_version_2", json.dumps({"v": 2, "type": "hello"}), "unsupported_version"),
        err_case("batch_id_with_slash", batch(batch_id="x/y"), "field_out_of_range"),
        err_case("batch_id_65_chars", batch(batch_id="x" * 65), "too_large"),
        err_case("batch_id_empty", batch(batch_id=""), "field_out_of_range"),
        err_case("batch_id_not_a_string", batch(batch_id=7), "wrong_type"),
        err_case("batch_missing_id", channel_msg("batch", files=[batch_file()]), "missing_field"),
        err_case("batch_missing_files", channel_msg("batch", batch="b"), "missing_field"),
        err_case("batch_files_not_array", batch({"transfer": 1}), "wrong_type"),
        err_case("batch_without_files", batch([]), "field_out_of_range"),
        err_case("batch_file_not_object", batch([7]), "wrong_type"),
        err_case("batch_repeated_transfer", batch([batch_file(1, "a"), batch_file(1, "b")]),
                 "duplicate_id"),
        err_case("batch_transfer_zero", batch([batch_file(0)]), "field_out_of_range"),
        err_case("batch_transfer_past_u32", batch([batch_file(4294967296)]), "field_out_of_range"),
        err_case("batch_transfer_missing", batch([{"path": "a", "size": 1}]), "missing_field"),
        err_case("batch_path_empty", batch([batch_file(path="")]), "field_out_of_range"),
        err_case("batch_path_4097_bytes", batch([batch_file(path="p" * 4097)]), "too_large"),
        err_case("batch_path_not_a_string", batch([batch_file(path=5)]), "wrong_type"),
        err_case("batch_size_negative", batch([batch_file(size=-1)]), "wrong_type"),
        err_case("batch_size_past_2_50", batch([batch_file(size=(1 << 50) + 1)]),
                 "field_out_of_range"),
        err_case("batch_size_fraction", batch([batch_file(size=1.5)]), "wrong_type"),
    ]
    return ok + errors


def control_cases():
    resume_file = {"name": "photos/cat.jpg", "size": 1048577, "mtime_ms": 1700000000000,
                   "first_block": EMPTY_HASH}
    ok = [
        ok_case("offer", offer(mime="image/jpeg"), "offer", file_name="photos/cat.jpg", size=1048577,
                block_size=1 << 20),
        ok_case("offer_restart_unicode_name_negative_mtime",
                offer("Fotos/año/niño 🐈.txt", mtime_ms=-5, restart=True, block_size=1 << 14),
                "offer", file_name="Fotos/año/niño 🐈.txt", size=1048577, block_size=1 << 14),
        ok_case("offer_escaped_unicode_name", offer("caf\\u00e9.txt").replace("\\\\", "\\"),
                "offer", file_name="café.txt", size=1048577, block_size=1 << 20),
        ok_case("offer_empty_file_max_block", offer("empty", size=0, block_size=1 << 24), "offer",
                file_name="empty", size=0, block_size=1 << 24),
        ok_case("offer_size_exactly_2_50", offer(size=1 << 50, block_size=1 << 24), "offer",
                file_name="photos/cat.jpg", size=1 << 50, block_size=1 << 24),
        ok_case("offer_name_4096_bytes", offer("a" * 4096), "offer", file_name="a" * 4096,
                size=1048577, block_size=1 << 20),
        ok_case("offer_max_transfer_id", offer(transfer=4294967295), "offer", transfer=4294967295,
                file_name="photos/cat.jpg", size=1048577, block_size=1 << 20),
        ok_case("accept", msg("accept", window=8, have=[[0, 5], [7, 9]]), "accept", window=8,
                have=[[0, 5], [7, 9]]),
        ok_case("accept_without_have_window_1", msg("accept", window=1), "accept", window=1,
                have=[]),
        ok_case("accept_window_256", msg("accept", window=256, have=[]), "accept", window=256,
                have=[]),
        ok_case("accept_resume", msg("accept", window=16, have=[[0, 3]], resume=True,
                                     file=resume_file), "accept", window=16, have=[[0, 3]]),
        # Overlapping and adjacent ranges are not refused: they are merged into one.
        ok_case("accept_ranges_overlapping_are_merged",
                msg("accept", window=8, have=[[3, 8], [0, 5], [8, 10]]), "accept", window=8,
                have=[[0, 10]]),
        ok_case("accept_range_at_u32_max", msg("accept", window=8, have=[[4294967294, 4294967295]]),
                "accept", window=8, have=[[4294967294, 4294967295]]),
        ok_case("reject", msg("reject", reason="no space left"), "reject"),
        ok_case("reject_without_reason", msg("reject"), "reject"),
        ok_case("cancel", msg("cancel", transfer=9, reason="user"), "cancel", transfer=9),
        ok_case("ack", msg("ack", blocks=[0, 1, 2, 4294967295]), "ack", blocks=[0, 1, 2, 4294967295]),
        ok_case("ack_1024_blocks", msg("ack", blocks=list(range(1024))), "ack"),
        ok_case("resend", msg("resend", block=3, reason="truncated"), "resend", block=3,
                reason="truncated"),
        ok_case("resend_unknown_reason_defaults_to_hash_mismatch",
                msg("resend", block=3, reason="gremlins"), "resend", block=3,
                reason="hash_mismatch"),
        ok_case("resend_without_reason", msg("resend", block=0), "resend", block=0,
                reason="hash_mismatch"),
        ok_case("done", msg("done", root=EMPTY_HASH), "done", root=EMPTY_HASH),
        ok_case("error", msg("error", code=12, message="block 3 failed"), "error", code=12),
        ok_case("unknown_fields_ignored", msg("cancel", extra={"a": [1, 2]}), "cancel"),
        ok_case("whitespace_and_key_order",
                ' { "transfer" : 5 ,\n "type" : "done", "v" : 1, "root" : "' + EMPTY_HASH + '" } ',
                "done", transfer=5, root=EMPTY_HASH),
        ok_case("nesting_8_levels", nested(8), "cancel"),
    ]
    long_reason = "x" * (70 * 1024)
    errors = [
        err_case("empty_text", "", "bad_json"),
        err_case("not_json", "hello", "bad_json"),
        err_case("truncated_json", '{"v":1,"type":"cancel"', "bad_json"),
        err_case("trailing_garbage", msg("cancel") + "x", "bad_json"),
        err_case("number_top_level", "42", "wrong_type"),
        err_case("string_top_level", '"offer"', "wrong_type"),
        err_case("array_top_level", "[" + msg("cancel") + "]", "wrong_type"),
        err_case("null_top_level", "null", "wrong_type"),
        err_case("missing_v", '{"type":"cancel","transfer":1}', "missing_field"),
        err_case("v_2", msg("cancel").replace('"v":1', '"v":2'), "unsupported_version"),
        err_case("v_0", msg("cancel").replace('"v":1', '"v":0'), "unsupported_version"),
        err_case("v_string", msg("cancel").replace('"v":1', '"v":"1"'), "wrong_type"),
        err_case("v_float", msg("cancel").replace('"v":1', '"v":1.0'), "wrong_type"),
        err_case("missing_type", '{"v":1,"transfer":1}', "missing_field"),
        err_case("type_not_string", '{"v":1,"type":3,"transfer":1}', "wrong_type"),
        err_case("unknown_type", msg("upload"), "unknown_type"),
        err_case("type_too_long", msg("x" * 33), "too_large"),
        err_case("missing_transfer", '{"v":1,"type":"cancel"}', "missing_field"),
        err_case("transfer_negative", msg("cancel", transfer=-1), "wrong_type"),
        err_case("transfer_float", msg("cancel", transfer=1.5), "wrong_type"),
        err_case("transfer_exponent", msg("cancel").replace('"transfer":1', '"transfer":1e3'),
                 "wrong_type"),
        err_case("transfer_2_32", msg("cancel", transfer=4294967296), "field_out_of_range"),
        err_case("transfer_string", msg("cancel", transfer="1"), "wrong_type"),
        err_case("offer_name_dotdot", offer("../etc/passwd"), "field_out_of_range"),
        err_case("offer_name_inner_dotdot", offer("a/../../b"), "field_out_of_range"),
        err_case("offer_name_dot", offer("a/./b"), "field_out_of_range"),
        err_case("offer_name_absolute", offer("/abs"), "field_out_of_range"),
        err_case("offer_name_trailing_slash", offer("dir/"), "field_out_of_range"),
        err_case("offer_name_double_slash", offer("a//b"), "field_out_of_range"),
        err_case("offer_name_backslash", offer("a\\b"), "field_out_of_range"),
        err_case("offer_name_windows_dotdot", offer("..\\windows"), "field_out_of_range"),
        err_case("offer_name_empty", offer(""), "field_out_of_range"),
        err_case("offer_name_nul", offer("a\u0000b"), "field_out_of_range"),
        err_case("offer_name_control_char", offer("a\u001fb"), "field_out_of_range"),
        err_case("offer_name_del", offer("a\u007fb"), "field_out_of_range"),
        err_case("offer_name_newline", offer("a\nb"), "field_out_of_range"),
        # A lone surrogate escape: nlohmann refuses it while parsing, before the UTF-8 check.
        err_case("offer_name_lone_surrogate", offer("a\\ud800b").replace("\\\\", "\\"),
                 "bad_json"),
        err_case("offer_name_4097_bytes", offer("a" * 4097), "too_large"),
        err_case("offer_name_not_string", offer(7), "wrong_type"),
        err_case("offer_missing_name", msg("offer", size=1, mtime_ms=0, first_block=EMPTY_HASH,
                                           block_size=1 << 20), "missing_field"),
        err_case("offer_block_size_not_power_of_two", offer(block_size=1000000),
                 "field_out_of_range"),
        err_case("offer_block_size_too_small", offer(block_size=1 << 13), "field_out_of_range"),
        err_case("offer_block_size_zero", offer(block_size=0), "field_out_of_range"),
        err_case("offer_block_size_too_big", offer(block_size=1 << 25), "field_out_of_range"),
        err_case("offer_missing_block_size",
                 msg("offer", name="a", size=1, mtime_ms=0, first_block=EMPTY_HASH),
                 "missing_field"),
        err_case("offer_size_over_2_50", offer(size=(1 << 50) + 1), "field_out_of_range"),
        # 2^46 bytes in 16 KiB blocks is 2^32 blocks: one more than a u32 block index can name.
        err_case("offer_more_than_2_32_blocks", offer(size=1 << 46, block_size=1 << 14),
                 "field_out_of_range"),
        err_case("offer_size_negative", offer(size=-1), "wrong_type"),
        err_case("offer_mtime_float", offer(mtime_ms=1.5), "wrong_type"),
        err_case("offer_mtime_over_i64", offer(mtime_ms=1 << 63), "field_out_of_range"),
        err_case("offer_digest_63_chars", offer(first_block=EMPTY_HASH[:63]), "length_mismatch"),
        err_case("offer_digest_65_chars", offer(first_block=EMPTY_HASH + "0"), "too_large"),
        err_case("offer_digest_uppercase", offer(first_block=EMPTY_HASH.upper()), "wrong_type"),
        err_case("offer_digest_not_hex", offer(first_block="g" * 64), "wrong_type"),
        err_case("offer_digest_not_string", offer(first_block=0), "wrong_type"),
        err_case("offer_mime_too_long", offer(mime="m" * 256), "too_large"),
        err_case("offer_restart_not_bool", offer(restart="yes"), "wrong_type"),
        err_case("accept_window_0", msg("accept", window=0), "field_out_of_range"),
        err_case("accept_window_257", msg("accept", window=257), "field_out_of_range"),
        err_case("accept_missing_window", msg("accept", have=[]), "missing_field"),
        err_case("accept_range_reversed", msg("accept", window=8, have=[[5, 3]]),
                 "field_out_of_range"),
        err_case("accept_range_empty", msg("accept", window=8, have=[[3, 3]]),
                 "field_out_of_range"),
        err_case("accept_range_past_2_32", msg("accept", window=8, have=[[0, 4294967296]]),
                 "field_out_of_range"),
        err_case("accept_range_not_pair", msg("accept", window=8, have=[[1, 2, 3]]),
                 "wrong_type"),
        err_case("accept_range_negative", msg("accept", window=8, have=[[-1, 2]]), "wrong_type"),
        err_case("accept_have_not_array", msg("accept", window=8, have={"0": 5}), "wrong_type"),
        err_case("accept_too_many_ranges",
                 msg("accept", window=8, have=[[0, 1]] * 8193),
                 "too_large"),
        err_case("accept_resume_without_file", msg("accept", window=8, resume=True),
                 "missing_field"),
        err_case("accept_resume_file_unsafe_name",
                 msg("accept", window=8, resume=True, file=dict(resume_file, name="../x")),
                 "field_out_of_range"),
        err_case("ack_2000_blocks", msg("ack", blocks=list(range(2000))), "too_large"),
        err_case("ack_1025_blocks", msg("ack", blocks=list(range(1025))), "too_large"),
        err_case("ack_missing_blocks", msg("ack"), "missing_field"),
        err_case("ack_block_negative", msg("ack", blocks=[-1]), "wrong_type"),
        err_case("ack_block_2_32", msg("ack", blocks=[4294967296]), "wrong_type"),
        err_case("ack_blocks_not_array", msg("ack", blocks=3), "wrong_type"),
        err_case("resend_missing_block", msg("resend", reason="truncated"), "missing_field"),
        err_case("resend_reason_not_string", msg("resend", block=1, reason=12), "wrong_type"),
        ok_case("error_with_reason", msg("error", code=20, message="cannot write",
                                         reason="storage_full"), "error", code=20),
        err_case("done_missing_root", msg("done"), "missing_field"),
        err_case("error_code_past_last", msg("error", code=22, message="x"), "field_out_of_range"),
        err_case("reject_reason_too_long", msg("reject", reason="r" * 257), "too_large"),
        err_case("error_reason_too_long", msg("error", code=20, message="x", reason="r" * 65),
                 "too_large"),
        err_case("nesting_9_levels", nested(9), "too_large"),
        err_case("nesting_10_levels", nested(10), "too_large"),
        err_case("message_70_kib", msg("reject", reason=long_reason), "too_large"),
        err_case("raw_control_char_in_string", msg("reject", reason="a\u0001b").replace(
            "\\u0001", "\u0001"), "bad_json"),
    ]
    byte_errors = [
        # Raw bytes that are not UTF-8 inside a JSON string: refused by the JSON parser.
        err_case_bytes("offer_name_overlong_slash_bytes",
                       offer("a_SLASH_b").encode().replace(b"_SLASH_", b"\xc0\xaf"), "bad_json"),
        err_case_bytes("offer_name_invalid_byte_ff",
                       offer("a_FF_b").encode().replace(b"_FF_", b"\xff"), "bad_json"),
    ]
    return ok + errors + byte_errors + channel_cases()


# ---------------------------------------------------------------------------------------------------
# Resume states (resume.hpp): what a receiver stores to continue a file after a reload.

def check_hex(block):
    return "%02x" % block * 32


def state(**over):
    s = {"v": 1, "file": {"name": "photos/cat.jpg", "size": 5 * (1 << 20) + 1,
                          "mtime_ms": 1700000000000, "first_block": EMPTY_HASH},
         "block_size": 1 << 20, "verified": [[0, 2], [4, 5]],
         "checks": [[0, check_hex(0)], [1, check_hex(1)], [4, check_hex(4)]]}
    s.update(over)
    return json.dumps(s, separators=(",", ":"), ensure_ascii=False)


def state_ok(name, text, verified, limited_to=None, limited=None):
    case = {"name": name, "text": text, "expect": "ok", "verified": verified}
    if limited_to is not None:
        case["limit_to"] = limited_to
        case["limited"] = limited
    return case


def resume_cases():
    empty_file = {"name": "empty", "size": 0, "mtime_ms": 0, "first_block": EMPTY_HASH}
    return [
        state_ok("three_blocks", state(), [[0, 2], [4, 5]], [[1, 5]], [[1, 2], [4, 5]]),
        state_ok("nothing_verified", state(verified=[], checks=[]), [], [[0, 6]], []),
        state_ok("empty_file", state(file=empty_file, verified=[], checks=[]), []),
        state_ok("limit_to_nothing", state(), [[0, 2], [4, 5]], [], []),
        err_case("not_json", "{", "bad_json"),
        err_case("not_an_object", "[]", "wrong_type"),
        err_case("version_missing", state().replace('"v":1,', ""), "missing_field"),
        err_case("version_2", state(v=2), "unsupported_version"),
        err_case("file_missing", state(file=None).replace('"file":null,', ""), "missing_field"),
        err_case("file_name_unsafe", state(file={"name": "../x", "size": 1, "mtime_ms": 0,
                                                 "first_block": EMPTY_HASH}), "field_out_of_range"),
        err_case("block_size_not_power_of_two", state(block_size=(1 << 20) + 1),
                 "field_out_of_range"),
        err_case("block_size_too_small", state(block_size=1024), "field_out_of_range"),
        err_case("verified_past_the_end", state(verified=[[0, 7]]), "field_out_of_range"),
        err_case("check_past_the_end", state(verified=[[0, 2]],
                                             checks=[[0, check_hex(0)], [9, check_hex(9)]]),
                 "field_out_of_range"),
        err_case("check_of_unverified_block", state(checks=[[0, check_hex(0)], [1, check_hex(1)],
                                                            [3, check_hex(3)]]), "length_mismatch"),
        err_case("verified_block_without_check", state(checks=[[0, check_hex(0)]]),
                 "length_mismatch"),
        err_case("checks_repeated", state(checks=[[0, check_hex(0)], [0, check_hex(0)],
                                                  [4, check_hex(4)]]), "field_out_of_range"),
        err_case("check_bad_hex", state(checks=[[0, "zz" * 32], [1, check_hex(1)],
                                                [4, check_hex(4)]]), "wrong_type"),
        err_case("check_not_a_pair", state(checks=[[0]]), "wrong_type"),
        err_case("too_many_blocks", state(file={"name": "huge", "size": 1 << 41, "mtime_ms": 0,
                                                "first_block": EMPTY_HASH},
                                          verified=[], checks=[], block_size=1 << 20),
                 "too_large"),
        err_case("nesting_too_deep", state(extra=[[[[[[[[[]]]]]]]]]), "too_large"),
    ]


# ---------------------------------------------------------------------------------------------------
# Seeds for fuzz_receiver: ops as parsed by tests/fuzz/fuzz_receiver.cpp (keep the two in step).
OP_RAW_FRAME, OP_CONTROL, OP_FRAGMENT, OP_WHOLE_BLOCK, OP_WRITE_DONE, OP_DONE, OP_RECONNECT, \
    OP_WRITE_DONE_ANY, OP_WRITE_FAILED, OP_OFFER, OP_ACCEPT, OP_REJECT = range(12)
# OP_OFFER's argument: bit 0 picks the harness's other (shorter) file, bit 1 sets `restart`.
FIRST_FILE, OTHER_FILE, RESTART = 0, 1, 2


def op_with_bytes(op, data):
    return bytes([op]) + struct.pack("<H", len(data)) + data


def whole_block(block, mode, fragment):
    return bytes([OP_WHOLE_BLOCK, block, mode]) + struct.pack("<H", fragment)


def receiver_seeds(frames):
    done_all = bytes([OP_WRITE_DONE]) * 3
    in_order = b"".join(whole_block(b, 0, 4096) for b in range(3)) + done_all + bytes([OP_DONE, 0])
    compressed = b"".join(whole_block(b, 1, 700) for b in range(3)) + done_all + bytes([OP_DONE, 0])
    corrupt_then_resend = (whole_block(1, 2, 16384) + whole_block(0, 0, 16384) +
                           whole_block(1, 0, 16384) + whole_block(2, 0, 9000) + done_all +
                           bytes([OP_DONE, 0]))
    dropped = (bytes([OP_FRAGMENT, 0, 0]) + struct.pack("<HH", 0, 5000) + bytes([OP_RECONNECT]) +
               whole_block(0, 0, 5000) + bytes([OP_WRITE_DONE]) + bytes([OP_DONE, 1]))
    restart = op_with_bytes(OP_CONTROL, offer("fuzz/file.bin", transfer=1, size=20000,
                                              block_size=1 << 14, restart=True).encode())
    golden = op_with_bytes(OP_RAW_FRAME, frames[0]) + op_with_bytes(
        OP_CONTROL, msg("done", transfer=1, root=EMPTY_HASH).encode())
    # Block 0 written and half of block 1 under way, then the sender switches to its other file:
    # its block 0 before the host accepts again (refused), then the whole file after.
    partial = (whole_block(0, 0, 16384) + bytes([OP_WRITE_DONE]) + bytes([OP_FRAGMENT, 1, 0]) +
               struct.pack("<HH", 0, 8000))
    other_done = (whole_block(0, 0, 4096) + whole_block(1, 1, 4096) + bytes([OP_WRITE_DONE]) * 2 +
                  bytes([OP_DONE, 0]))
    restart_reoffer_accept = (partial + bytes([OP_OFFER, OTHER_FILE | RESTART]) +
                              whole_block(0, 0, 4096) + bytes([OP_ACCEPT]) + other_done)
    # Asked again, the sender changes its mind once more before the host answers.
    reoffer_twice = (partial + bytes([OP_OFFER, OTHER_FILE | RESTART]) +
                     bytes([OP_OFFER, FIRST_FILE | RESTART]) + bytes([OP_ACCEPT]) + in_order)
    restart_then_reject = partial + bytes([OP_OFFER, OTHER_FILE | RESTART, OP_REJECT]) + in_order
    restart_after_completion = (in_order + bytes([OP_OFFER, OTHER_FILE | RESTART, OP_ACCEPT]) +
                                other_done)
    return {"in_order": in_order, "compressed": compressed,
            "corrupt_then_resend": corrupt_then_resend, "dropped_mid_block": dropped,
            "restart_offer": whole_block(0, 0, 16384) + restart + whole_block(0, 0, 16384),
            "golden_frame_and_done": golden, "restart_reoffer_accept": restart_reoffer_accept,
            "reoffer_twice": reoffer_twice, "restart_then_reject": restart_then_reject,
            "restart_after_completion": restart_after_completion}


def write_json(path, comment, cases):
    with open(path, "w", encoding="utf-8") as f:
        f.write("{\n  " + json.dumps("comment") + ": " + json.dumps(comment) + ",\n")
        f.write('  "cases": [\n')
        f.write(",\n".join("    " + json.dumps(c, ensure_ascii=False) for c in cases))
        f.write("\n  ]\n}\n")


def write_seeds(target, seeds):
    directory = os.path.join(ROOT, "tests", "fuzz", "corpus", target)
    os.makedirs(directory, exist_ok=True)
    for name, data in seeds.items():
        with open(os.path.join(directory, name), "wb") as f:
            f.write(data)


def main():
    frames = frame_cases()
    controls = control_cases()
    write_json(os.path.join(HERE, "frames.json"),
               "Golden data frames (frame.hpp layout v1), generated by make_golden.py. 'hex' is the "
               "whole frame; 'expect' is 'ok' (then the decoded header fields and payload follow) or "
               "the error_name() of the ErrorCode frame::decode must return with default limits.",
               frames)
    write_json(os.path.join(HERE, "resume_states.json"),
               "Golden resume states (resume.hpp), generated by make_golden.py. 'expect' is 'ok' "
               "(then 'verified' follows, and with 'limit_to' the 'verified' ranges that "
               "resume::limit_to keeps) or the error_name() of the ErrorCode resume::decode must "
               "return.", resume_cases())
    write_json(os.path.join(HERE, "control_messages.json"),
               "Golden control messages (control.hpp), generated by make_golden.py. 'text' is the "
               "message (or 'text_hex', its bytes, when they are not UTF-8); 'expect' is 'ok' (then "
               "'type', 'transfer' and some decoded fields follow) or the error_name() of the "
               "ErrorCode control::decode must return.", controls)

    frame_bytes = [bytes.fromhex(c["hex"]) for c in frames]
    write_seeds("fuzz_frame", {c["name"]: bytes.fromhex(c["hex"]) for c in frames
                               if c["expect"] == "ok" or c["name"].startswith("fragment_offset")})
    control_seeds = {c["name"]: c["text"].encode() for c in controls
                     if c["expect"] == "ok" and len(c["text"]) < 1000}
    control_seeds.update({"resume_" + c["name"]: c["text"].encode() for c in resume_cases()
                          if c["expect"] == "ok"})
    write_seeds("fuzz_control", control_seeds)
    write_seeds("fuzz_receiver", receiver_seeds(frame_bytes))


if __name__ == "__main__":
    main()
