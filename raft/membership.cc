#include "raft/membership.h"

#include <algorithm>
#include <charconv>

namespace rb::raft {

namespace {

bool has(const std::vector<NodeId>& v, NodeId n) { return std::binary_search(v.begin(), v.end(), n); }

void sort_unique(std::vector<NodeId>& v) {
  std::sort(v.begin(), v.end());
  v.erase(std::unique(v.begin(), v.end()), v.end());
}

std::string join(const std::vector<NodeId>& v) {
  std::string s;
  for (size_t i = 0; i < v.size(); ++i) {
    if (i) s += ',';
    s += std::to_string(v[i].value());
  }
  return s;
}

bool parse_list(std::string_view s, std::vector<NodeId>& out) {
  while (!s.empty()) {
    size_t comma = s.find(',');
    std::string_view item = s.substr(0, comma);
    uint32_t v = 0;
    auto [p, ec] = std::from_chars(item.data(), item.data() + item.size(), v);
    if (ec != std::errc() || p != item.data() + item.size()) return false;
    out.push_back(NodeId{v});
    if (comma == std::string_view::npos) break;
    s.remove_prefix(comma + 1);
  }
  return true;
}

}  // namespace

bool Config::is_voter(NodeId n) const { return has(members, n); }
bool Config::is_learner(NodeId n) const { return has(learners, n); }

std::vector<NodeId> Config::all() const {
  std::vector<NodeId> out = members;
  out.insert(out.end(), learners.begin(), learners.end());
  return out;
}

void Config::normalize() {
  sort_unique(members);
  sort_unique(learners);
  std::erase_if(learners, [this](NodeId n) { return has(members, n); });
}

std::string encode_config(const Config& c) { return "m=" + join(c.members) + ";l=" + join(c.learners); }

Result<Config> decode_config(std::string_view s) {
  auto bad = [&] { return make_error(errc::corrupt, "raft: bad config encoding '" + std::string(s) + "'"); };
  if (s.substr(0, 2) != "m=") return bad();
  size_t semi = s.find(";l=");
  if (semi == std::string_view::npos) return bad();
  Config c;
  if (!parse_list(s.substr(2, semi - 2), c.members)) return bad();
  if (!parse_list(s.substr(semi + 3), c.learners)) return bad();
  c.normalize();
  return c;
}

std::string describe(const Config& c) {
  return "members=[" + join(c.members) + "] learners=[" + join(c.learners) + "]";
}

const Config& ConfigHistory::at(Offset o) const {
  for (size_t i = changes_.size(); i-- > 0;)
    if (changes_[i].first <= o) return changes_[i].second;
  return base_;
}

void ConfigHistory::add(Offset o, Config c) {
  RB_ASSERT(changes_.empty() || changes_.back().first < o);
  changes_.emplace_back(o, std::move(c));
}

void ConfigHistory::truncate(Offset end) {
  while (!changes_.empty() && changes_.back().first >= end) changes_.pop_back();
  // A forced reset's base may claim offsets that a new leader now rewrites; the base then only
  // covers what is left.
  base_end_ = std::min(base_end_, end);
}

void ConfigHistory::compact(Offset start) {
  while (!changes_.empty() && changes_.front().first < start) {
    base_ = std::move(changes_.front().second);
    changes_.erase(changes_.begin());
  }
  base_end_ = std::max(base_end_, start);
}

void ConfigHistory::reset(Config base, Offset base_end) {
  base_ = std::move(base);
  base_end_ = base_end;
  changes_.clear();
}

std::string encode_base(const ConfigHistory& h) {
  return std::to_string(h.base_end().value()) + "|" + encode_config(h.base());
}

std::optional<std::pair<Offset, Config>> decode_base(std::string_view s) {
  size_t bar = s.find('|');
  if (bar == std::string_view::npos) return std::nullopt;
  int64_t end = 0;
  auto [p, ec] = std::from_chars(s.data(), s.data() + bar, end);
  if (ec != std::errc() || p != s.data() + bar) return std::nullopt;
  auto c = decode_config(s.substr(bar + 1));
  if (!c.ok()) return std::nullopt;
  return std::make_pair(Offset{end}, std::move(c.value()));
}

}  // namespace rb::raft
