#include <dirent.h>
#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>

#include "replication/storage/file_util.h"
#include "replication/storage/segment_log_store.h"

namespace rb::storage {
namespace {

constexpr const char* kMetaFile = "log_meta";
constexpr const char* kLockFile = "LOCK";
constexpr size_t kScanChunkBytes = 1 << 20;

// Reads and decodes an optional state file; absent -> `fallback`.
template <class T, class Decode>
Result<T> load_state(const std::string& path, Decode decode, T fallback) {
  auto raw = read_file_if_exists(path);
  if (!raw.ok()) return raw.error();
  if (!raw->has_value()) return fallback;
  auto v = decode(**raw);
  if (!v.ok()) return make_error(errc::corrupt, path + ": " + v.error().message);
  return std::move(*v);
}

Result<std::vector<std::string>> list_dir(const std::string& dir) {
  DIR* d = ::opendir(dir.c_str());
  if (d == nullptr) return errno_error("list directory", dir);
  std::vector<std::string> names;
  while (dirent* ent = ::readdir(d)) names.emplace_back(ent->d_name);
  ::closedir(d);
  return names;
}

}  // namespace

Status SegmentLogStoreOptions::validate() const {
  if (segment_bytes < 4096 || segment_bytes > (1ull << 40))
    return make_error(errc::invalid_config, "segment_bytes must be in [4 KiB, 1 TiB]");
  if (index_interval_bytes < 64 || index_interval_bytes > segment_bytes)
    return make_error(errc::invalid_config, "index_interval_bytes must be in [64, segment_bytes]");
  if (max_record_bytes < 1 || max_record_bytes > (1u << 30))
    return make_error(errc::invalid_config, "max_record_bytes must be in [1, 1 GiB]");
  if (tail_cache_bytes > (1ull << 30))
    return make_error(errc::invalid_config, "tail_cache_bytes must be in [0, 1 GiB]");
  return {};
}

SegmentLogStore::SegmentLogStore(std::string dir, SegmentLogStoreOptions opts, int lock_fd)
    : dir_(std::move(dir)), opts_(opts), lock_fd_(lock_fd) {}

SegmentLogStore::~SegmentLogStore() {
  if (lock_fd_ >= 0) ::close(lock_fd_);  // releases the flock
}

Result<std::unique_ptr<SegmentLogStore>> SegmentLogStore::open(const std::string& dir,
                                                               const SegmentLogStoreOptions& opts) {
  if (auto s = opts.validate(); !s.ok()) return s.error();
  struct stat st {};
  if (::stat(dir.c_str(), &st) != 0) {
    if (errno != ENOENT || !opts.create_if_missing) return errno_error("log directory", dir);
    if (::mkdir(dir.c_str(), 0755) != 0 && errno != EEXIST) return errno_error("create log directory", dir);
  } else if (!S_ISDIR(st.st_mode)) {
    return make_error(errc::io_error, "log directory " + dir + ": not a directory");
  }
  const std::string lock_path = join_path(dir, kLockFile);
  int lock_fd = ::open(lock_path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644);
  if (lock_fd < 0) return errno_error("log directory not writable: create", lock_path);
  if (::flock(lock_fd, LOCK_EX | LOCK_NB) != 0) {
    ::close(lock_fd);
    return make_error(errc::busy, "log directory " + dir + " is already open");
  }
  std::unique_ptr<SegmentLogStore> store(new SegmentLogStore(dir, opts, lock_fd));
  if (auto s = store->recover(); !s.ok()) return s.error();
  return store;
}

Status SegmentLogStore::recover() {
  auto hs = load_state<HardState>(join_path(dir_, kHardStateFile), decode_hard_state, HardState{});
  if (!hs.ok()) return hs.error();
  set_file_hard_state(*hs);
  // A commit mark newer than hard_state's commit and made for this hard state advances it. Any
  // other mark (torn by a power loss, left from an older hard state) is ignored: the mark is never
  // synced, so losing it only brings back an older commit watermark.
  auto raw_mark = read_file_if_exists(join_path(dir_, kCommitMarkFile));
  if (!raw_mark.ok()) return raw_mark.error();
  if (raw_mark->has_value()) {
    auto mark = decode_commit_mark(**raw_mark);
    if (mark.ok() && mark->base == file_hs_base_ && mark->commit > hard_state_.commit)
      hard_state_.commit = mark->commit;
  }
  auto snap = load_state<Snapshot>(join_path(dir_, kSnapshotFile), decode_snapshot, Snapshot{});
  if (!snap.ok()) return snap.error();
  snapshot_ = std::move(*snap);
  auto meta = load_state<LogMeta>(join_path(dir_, kMetaFile), decode_log_meta, LogMeta{});
  if (!meta.ok()) return meta.error();

  auto names = list_dir(dir_);
  if (!names.ok()) return names.error();
  std::vector<Offset> bases;
  for (const auto& n : *names) {
    if (n.size() > 4 && n.ends_with(".tmp")) {
      if (auto s = remove_file(join_path(dir_, n)); !s.ok()) return s;  // an interrupted atomic write
    } else if (auto b = parse_segment_file_name(n)) {
      bases.push_back(*b);
    }
  }
  std::sort(bases.begin(), bases.end());
  // Segments wholly below the logical start are leftovers of an interrupted truncate_prefix.
  while (bases.size() >= 2 && bases[1] <= meta->log_start) {
    if (auto s = remove_file(join_path(dir_, segment_file_name(bases.front()))); !s.ok()) return s;
    bases.erase(bases.begin());
  }
  for (Offset b : bases) {
    const std::string path = join_path(dir_, segment_file_name(b));
    auto fd = open_rw(path, false);
    if (!fd.ok()) return fd.error();
    Segment seg;
    seg.base = seg.end = b;
    seg.file = std::make_shared<FileHandle>(*fd, path);
    seg.index_interval = opts_.index_interval_bytes;
    segments_.push_back(std::move(seg));
  }

  // Scan every segment in order; stop at the first problem and drop everything after it.
  Epoch prev_epoch{0};
  for (size_t i = 0; i < segments_.size(); ++i) {
    Segment& seg = segments_[i];
    if (i > 0 && seg.base != segments_[i - 1].end) {
      if (auto s = drop_segments_from(i, seg.file->path() + ": base offset does not follow the previous segment");
          !s.ok())
        return s;
      break;
    }
    auto size = file_size(seg.file->fd(), seg.file->path());
    if (!size.ok()) return size.error();
    RecordCursor cur(*seg.file, 0, *size, opts_.max_record_bytes, kScanChunkBytes);
    std::string problem;
    for (;;) {
      auto r = cur.next();
      if (!r.ok()) return r.error();
      if (*r == RecordCursor::Outcome::end) break;
      if (*r == RecordCursor::Outcome::record) {
        const RecordHeader& h = cur.header();
        if (h.offset != seg.end.value()) {
          problem = "record offset " + std::to_string(h.offset) + " out of sequence";
        } else if (Epoch{h.epoch} < prev_epoch) {
          problem = "record epoch went backwards";
        } else {
          seg.maybe_index(seg.end, cur.pos());
          if (seg.end >= meta->log_start && (epochs_.empty() || epochs_.back().first != Epoch{h.epoch}))
            epochs_.emplace_back(Epoch{h.epoch}, seg.end);
          prev_epoch = Epoch{h.epoch};
          ++seg.end;
          seg.size = cur.pos() + cur.record_bytes();
          ++recovery_.records;
          continue;
        }
      } else {
        problem = cur.detail();
      }
      break;
    }
    if (!problem.empty() || seg.size != *size) {
      if (problem.empty()) problem = "trailing bytes";
      recovery_.bytes_dropped += *size - seg.size;
      if (recovery_.detail.empty())
        recovery_.detail = seg.file->path() + " at byte " + std::to_string(seg.size) + ": " + problem;
      if (auto s = truncate_file(seg.file->fd(), seg.size, seg.file->path()); !s.ok()) return s;
      if (auto s = drop_segments_from(i + 1, ""); !s.ok()) return s;
      break;
    }
  }

  if (segments_.empty() || segments_.back().end < meta->log_start) {
    // Nothing usable at or above the logical start (a fresh directory, or a crash that lost the
    // unsynced records just below a prefix cut): the log restarts empty at the start.
    if (!segments_.empty()) {
      if (auto s = drop_segments_from(0, ""); !s.ok()) return s;
    }
    epochs_.clear();
    if (auto s = roll(meta->log_start); !s.ok()) return s;
    log_start_ = meta->log_start;
    start_epoch_ = meta->start_epoch;
  } else {
    log_start_ = std::max(meta->log_start, segments_.front().base);
    start_epoch_ = log_start_ == meta->log_start ? meta->start_epoch : Epoch{0};
  }
  log_end_ = segments_.back().end;
  // Whatever survived may still be only in the page cache (the process, not the machine, died):
  // flush it so durable_end() == log_end() is true.
  for (const auto& seg : segments_) {
    if (auto s = fdatasync_fd(seg.file->fd(), seg.file->path()); !s.ok()) return s;
  }
  if (auto s = fsync_dir(dir_); !s.ok()) return s;
  unsynced_.clear();
  active_dirty_ = dir_dirty_ = false;
  durable_ = log_end_;
  return {};
}

Status SegmentLogStore::drop_segments_from(size_t i, const std::string& why) {
  if (i >= segments_.size()) return {};
  if (!why.empty() && recovery_.detail.empty()) recovery_.detail = why;
  for (size_t j = segments_.size(); j-- > i;) {
    auto size = file_size(segments_[j].file->fd(), segments_[j].file->path());
    if (size.ok()) recovery_.bytes_dropped += *size;
    ++recovery_.segments_dropped;
    if (auto s = remove_file(segments_[j].file->path()); !s.ok()) return s;
  }
  segments_.resize(i);
  return fsync_dir(dir_);
}

Status SegmentLogStore::roll(Offset base) {
  const std::string path = join_path(dir_, segment_file_name(base));
  int fd = ::open(path.c_str(), O_RDWR | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd < 0) return errno_error("create segment", path);
  if (!segments_.empty() && active_dirty_) unsynced_.push_back(segments_.back().file);
  Segment seg;
  seg.base = seg.end = base;
  seg.file = std::make_shared<FileHandle>(fd, path);
  seg.index_interval = opts_.index_interval_bytes;
  segments_.push_back(std::move(seg));
  active_dirty_ = false;
  dir_dirty_ = true;
  return {};
}

Status SegmentLogStore::fail(Error e) {
  failed_ = true;
  return e;
}

size_t SegmentLogStore::find_segment(Offset o) const {
  auto it =
      std::upper_bound(segments_.begin(), segments_.end(), o, [](Offset v, const Segment& s) { return v < s.base; });
  RB_ASSERT(it != segments_.begin());
  return static_cast<size_t>(std::prev(it) - segments_.begin());
}

Status SegmentLogStore::write_meta(Offset start, Epoch start_epoch) {
  return write_file_atomic(dir_, kMetaFile, encode_log_meta(LogMeta{start, start_epoch}));
}

}  // namespace rb::storage
