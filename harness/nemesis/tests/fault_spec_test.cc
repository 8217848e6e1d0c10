// Parsing of both fault forms: every documented example, the defaults, and one test per error.
#include "harness/nemesis/fault_spec.h"

#include <gtest/gtest.h>

namespace rb::nemesis {
namespace {

FaultSpec parse_ok(std::string_view s) {
  auto f = parse_fault_string(s);
  EXPECT_TRUE(f.ok()) << s << ": " << (f.ok() ? "" : f.error().message);
  return f.ok() ? *f : FaultSpec{};
}

std::string parse_err(std::string_view s) {
  auto f = parse_fault_string(s);
  EXPECT_FALSE(f.ok()) << s << " parsed";
  if (f.ok()) return "";
  EXPECT_EQ(f.code(), errc::invalid_config);
  EXPECT_EQ(f.error().message.find('\n'), std::string::npos) << "one line";
  return f.error().message;
}

std::string json_err(const char* text) {
  auto f = parse_fault_json(nlohmann::json::parse(text));
  EXPECT_FALSE(f.ok()) << text << " parsed";
  return f.ok() ? "" : f.error().message;
}

TEST(FaultString, KillLeaderWithHeal) {
  auto f = parse_ok("kill:leader@5s-8s");
  EXPECT_EQ(f.kind, FaultKind::kill);
  EXPECT_EQ(f.target.kind, TargetKind::leader);
  EXPECT_DOUBLE_EQ(f.start_s, 5);
  ASSERT_TRUE(f.heal_s);
  EXPECT_DOUBLE_EQ(*f.heal_s, 8);
  EXPECT_FALSE(f.lose_unsynced);
  EXPECT_EQ(f.text, "kill:leader@5s-8s");
}

TEST(FaultString, DurationFormAndUnits) {
  auto f = parse_ok("pause:follower@500ms+1.5s");
  EXPECT_EQ(f.kind, FaultKind::pause);
  EXPECT_EQ(f.target.kind, TargetKind::follower);
  EXPECT_DOUBLE_EQ(f.start_s, 0.5);
  EXPECT_DOUBLE_EQ(*f.heal_s, 2.0);
  EXPECT_FALSE(parse_ok("kill:leader@3").heal_s);
}

TEST(FaultString, PartitionShapes) {
  EXPECT_EQ(parse_ok("partition:halves@3s-6s").shape, PartitionShape::halves);
  EXPECT_EQ(parse_ok("partition:halves@3s-6s").target.kind, TargetKind::none);
  auto iso = parse_ok("isolate:leader@5s-10s");
  EXPECT_EQ(iso.kind, FaultKind::partition);
  EXPECT_EQ(iso.shape, PartitionShape::isolate);
  EXPECT_EQ(iso.target.kind, TargetKind::leader);
  auto asym = parse_ok("asymmetric:leader-in@5s+3s");
  EXPECT_EQ(asym.shape, PartitionShape::asymmetric);
  EXPECT_EQ(asym.direction, Direction::in);
  EXPECT_EQ(asym.target.kind, TargetKind::leader);
  EXPECT_EQ(parse_ok("asymmetric:node=2-out@1s").direction, Direction::out);
  EXPECT_EQ(parse_ok("asymmetric:node=2-out@1s").target.nodes, std::vector<NodeId>{NodeId{2}});
  EXPECT_EQ(parse_ok("bridge@4s-7s").shape, PartitionShape::bridge);
  EXPECT_EQ(parse_ok("majorities-ring@4s-7s").shape, PartitionShape::majorities_ring);
  EXPECT_EQ(parse_ok("partition:majorities_ring@4s").shape, PartitionShape::majorities_ring);
}

TEST(FaultString, LinkAndDiskParameters) {
  auto s = parse_ok("slow-link:leader:50ms@2s-5s");
  EXPECT_EQ(s.kind, FaultKind::slow_link);
  EXPECT_DOUBLE_EQ(s.delay_ms, 50);
  auto l = parse_ok("loss:0.1@2s");
  EXPECT_EQ(l.kind, FaultKind::loss);
  EXPECT_DOUBLE_EQ(l.loss, 0.1);
  EXPECT_EQ(l.target.kind, TargetKind::none);
  EXPECT_DOUBLE_EQ(parse_ok("loss:node=1:25%@2s").loss, 0.25);
  auto d = parse_ok("slow-disk:node=1:x10@3s");
  EXPECT_EQ(d.kind, FaultKind::slow_disk);
  EXPECT_DOUBLE_EQ(d.factor, 10);
  EXPECT_EQ(d.target.nodes, std::vector<NodeId>{NodeId{1}});
  EXPECT_TRUE(parse_ok("isolate:leader:clients@1s").clients);
  EXPECT_TRUE(parse_ok("kill:majority:power@5s-9s").lose_unsynced);
}

TEST(FaultString, MembershipAndDefaults) {
  auto a = parse_ok("add-node:3@5s");
  EXPECT_EQ(a.kind, FaultKind::add_node);
  EXPECT_EQ(a.target.nodes, std::vector<NodeId>{NodeId{3}});
  EXPECT_EQ(parse_ok("add-node@5s").target.kind, TargetKind::spare);
  EXPECT_EQ(parse_ok("add-node:3,4@5s").target.nodes.size(), 2u);
  EXPECT_EQ(parse_ok("remove-node:2@5s").kind, FaultKind::remove_node);
  EXPECT_EQ(parse_ok("remove-node@5s").target.kind, TargetKind::follower);
  auto t = parse_ok("transfer-leader:node=1@5s");
  EXPECT_EQ(t.kind, FaultKind::transfer_leader);
  EXPECT_EQ(t.target.nodes, std::vector<NodeId>{NodeId{1}});
  EXPECT_EQ(parse_ok("kill@1s").target.kind, TargetKind::leader);
  EXPECT_EQ(parse_ok("restart@1s").target.kind, TargetKind::killed);
  EXPECT_EQ(parse_ok("kill:leader:p=2@1s").partition, PartitionId{2});
}

TEST(FaultString, ErrorsNameTheBadPart) {
  EXPECT_NE(parse_err("kill:leader").find("missing '@START'"), std::string::npos);
  EXPECT_NE(parse_err("kil:leader@5s").find("unknown fault kind 'kil'"), std::string::npos);
  EXPECT_NE(parse_err("kill:leder@5s").find("unknown target 'leder'"), std::string::npos);
  EXPECT_NE(parse_err("kill:leader@soon").find("bad start time 'soon'"), std::string::npos);
  EXPECT_NE(parse_err("kill:leader@5s-x").find("bad heal time 'x'"), std::string::npos);
  EXPECT_NE(parse_err("kill:leader@5s+y").find("bad duration 'y'"), std::string::npos);
  EXPECT_NE(parse_err("kill:leader@5s-3s").find("heal time must be after"), std::string::npos);
  EXPECT_NE(parse_err("partition@5s").find("needs a shape"), std::string::npos);
  EXPECT_NE(parse_err("halves:leader@5s").find("does not apply to halves"), std::string::npos);
  EXPECT_NE(parse_err("slow-link:leader@5s").find("needs a delay"), std::string::npos);
  EXPECT_NE(parse_err("loss:1.5@5s").find("probability in (0, 1]"), std::string::npos);
  EXPECT_NE(parse_err("slow-disk:leader:xfast@5s").find("bad factor 'xfast'"), std::string::npos);
  EXPECT_NE(parse_err("kill:leader:50ms@5s").find("'50ms' (delay) does not apply to kill"), std::string::npos);
  EXPECT_NE(parse_err("pause:leader:power@5s").find("'power' (power loss)"), std::string::npos);
  EXPECT_NE(parse_err("kill:leader:follower@5s").find("second target 'follower'"), std::string::npos);
  EXPECT_NE(parse_err("transfer-leader:1@5s-6s").find("has no heal"), std::string::npos);
  EXPECT_NE(parse_err("kill:leader-out@5s").find("(direction) does not apply"), std::string::npos);
  EXPECT_NE(parse_err("kill:leader:clients@5s").find("'clients' applies only to link faults"), std::string::npos);
  EXPECT_NE(parse_err("add-node:leader@5s").find("target 'leader' does not apply to add-node"), std::string::npos);
  EXPECT_NE(parse_err("kill::leader@5s").find("empty argument"), std::string::npos);
}

TEST(FaultJson, FormsAndRoundTrip) {
  auto f = parse_fault_json(nlohmann::json::parse(R"({"kind":"kill","target":"leader","at":5,"heal":8})"));
  ASSERT_TRUE(f.ok()) << f.error().message;
  EXPECT_EQ(f->kind, FaultKind::kill);
  EXPECT_DOUBLE_EQ(*f->heal_s, 8);
  auto p = parse_fault_json(nlohmann::json::parse(R"({"kind":"partition","shape":"asymmetric","node":2,
      "direction":"in","at":1,"duration":2})"));
  ASSERT_TRUE(p.ok()) << p.error().message;
  EXPECT_EQ(p->shape, PartitionShape::asymmetric);
  EXPECT_EQ(p->direction, Direction::in);
  EXPECT_DOUBLE_EQ(*p->heal_s, 3);
  EXPECT_EQ(p->target.nodes, std::vector<NodeId>{NodeId{2}});
  for (const char* s : {"kill:majority:power@5s-9s", "slow-link:follower:20ms@1s+2s", "loss:node=1:0.2@2s",
                        "slow-disk:node=1:x10@3s", "asymmetric:leader-in@5s", "add-node:3,4@5s-7s", "bridge@1s-2s",
                        "transfer-leader@4s", "isolate:leader:clients:p=1@1s"}) {
    auto a = parse_fault_string(s);
    ASSERT_TRUE(a.ok()) << s;
    auto b = parse_fault_json(to_json(*a));
    ASSERT_TRUE(b.ok()) << s << " -> " << to_json(*a).dump() << ": " << b.error().message;
    EXPECT_EQ(to_json(*a), to_json(*b)) << s;
  }
}

TEST(FaultJson, ErrorsNameTheKey) {
  EXPECT_NE(json_err(R"({"kind":"kill","at":1,"targte":"leader"})").find("unknown key 'targte'"), std::string::npos);
  EXPECT_NE(json_err(R"({"target":"leader","at":1})").find("'kind' (a string) is required"), std::string::npos);
  EXPECT_NE(json_err(R"({"kind":"kill"})").find("'at' (start, seconds) is required"), std::string::npos);
  EXPECT_NE(json_err(R"({"kind":"kill","at":"5"})").find("'at' must be a number"), std::string::npos);
  EXPECT_NE(json_err(R"({"kind":"kill","at":1,"heal":3,"duration":2})").find("not both"), std::string::npos);
  EXPECT_NE(json_err(R"({"kind":"kill","at":1,"node":1,"target":"leader"})").find("one of 'target'"),
            std::string::npos);
  EXPECT_NE(json_err(R"({"kind":"partition","at":1})").find("needs 'shape'"), std::string::npos);
  EXPECT_NE(json_err(R"({"kind":"kill","at":1,"nodes":[]})").find("'nodes' must be a list"), std::string::npos);
  EXPECT_NE(json_err(R"({"kind":"kill","at":1,"lose_unsynced":1})").find("'lose_unsynced' must be true or false"),
            std::string::npos);
  EXPECT_NE(json_err(R"([1])").find("must be an object"), std::string::npos);
}

TEST(FaultList, CombinesSourcesAndChecksShape) {
  auto all = parse_faults(nlohmann::json::parse(R"([{"kind":"kill","at":1}])"),
                          {nlohmann::json::parse(R"({"kind":"pause","at":2})")}, {"loss:0.5@3s"});
  ASSERT_TRUE(all.ok()) << all.error().message;
  ASSERT_EQ(all->size(), 3u);
  EXPECT_EQ((*all)[2].kind, FaultKind::loss);
  EXPECT_FALSE(parse_faults(nlohmann::json::object(), {}, {}).ok());
  EXPECT_FALSE(parse_faults(nlohmann::json::array(), {}, {"bogus@1s"}).ok());
  auto spec = parse_fault_string("kill:node=5@1s");
  ASSERT_TRUE(spec.ok());
  auto s = check_faults({*spec}, 3, 1);
  ASSERT_FALSE(s.ok());
  EXPECT_NE(s.error().message.find("node 5 does not exist"), std::string::npos);
  EXPECT_TRUE(check_faults({*spec}, 6, 1).ok());
  auto part = parse_fault_string("kill:leader:p=3@1s");
  EXPECT_FALSE(check_faults({*part}, 3, 2).ok());
}

}  // namespace
}  // namespace rb::nemesis
