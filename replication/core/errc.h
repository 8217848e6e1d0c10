#pragma once
// Expected error conditions, shared by engines, storage, broker and harness. These are values,
// never exceptions; a broken invariant is an RB_ASSERT instead.
#include <cstdint>
#include <string_view>

namespace rb {

enum class errc : uint8_t {
  ok = 0,
  not_leader,             // this replica does not lead the partition; see the leader hint
  not_enough_replicas,    // fewer in-sync replicas than min.insync / no slave available
  timeout,                // the operation did not complete in time; outcome unknown
  unavailable,            // no leader / partition paused / queue blocked
  compacted,              // the requested offset is below the log start
  out_of_range,           // the requested offset is past the log end
  io_error,               // the storage failed
  corrupt,                // stored data failed its checksum
  bad_input,              // malformed request, frame or file
  invalid_config,         // impossible configuration
  unsupported,            // the protocol has no such operation
  fenced,                 // a stale epoch was used
  duplicate,              // an idempotent producer resent a record already stored
  out_of_order_sequence,  // an idempotent producer skipped a sequence number
  not_found,              // unknown partition, node, file
  too_large,              // a message or frame above the configured maximum
  busy,                   // an operation of the same kind is already in flight
};

constexpr std::string_view to_string(errc e) {
  switch (e) {
    case errc::ok:
      return "ok";
    case errc::not_leader:
      return "not_leader";
    case errc::not_enough_replicas:
      return "not_enough_replicas";
    case errc::timeout:
      return "timeout";
    case errc::unavailable:
      return "unavailable";
    case errc::compacted:
      return "compacted";
    case errc::out_of_range:
      return "out_of_range";
    case errc::io_error:
      return "io_error";
    case errc::corrupt:
      return "corrupt";
    case errc::bad_input:
      return "bad_input";
    case errc::invalid_config:
      return "invalid_config";
    case errc::unsupported:
      return "unsupported";
    case errc::fenced:
      return "fenced";
    case errc::duplicate:
      return "duplicate";
    case errc::out_of_order_sequence:
      return "out_of_order_sequence";
    case errc::not_found:
      return "not_found";
    case errc::too_large:
      return "too_large";
    case errc::busy:
      return "busy";
  }
  return "unknown";
}

}  // namespace rb
