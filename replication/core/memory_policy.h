#pragma once

namespace rb {

// Process-wide allocator policy for replbench's long-running processes (nodes, the harness).
//
// A node allocates and frees buffers of hundreds of kilobytes many times a second (outbound
// frames, fetch reads, client batches). With glibc's default policy those sizes sit near the
// adaptive mmap and trim thresholds, so freed memory keeps going back to the kernel and the next
// buffer of that size faults its pages in again (measured: page faults under memset were ~4 % of a
// node's CPU in an ISR run). This raises both thresholds so freed buffers are reused from the
// heap: buffers up to 32 MiB come from the heap, and up to 64 MiB of free heap top is kept.
// The cost is resident memory that stays at its high-water mark instead of shrinking.
//
// Returns false if the allocator refused a setting (the process runs on with the defaults).
bool keep_freed_memory();

}  // namespace rb
