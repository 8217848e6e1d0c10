// Tests of the coordinator's commands and metadata state machine.
#include <gtest/gtest.h>

#include "replication/coordinator/commands.h"
#include "replication/coordinator/coordinator_state.h"
#include "replication/core/prng.h"

namespace rb::coordinator {
namespace {

const NodeId n0{0}, n1{1}, n2{2}, n3{3};
const PartitionId p0{0};

std::vector<Command> sample_commands() {
  return {RegisterBroker{n1, 7},
          RegisterBroker{NodeId{4000000000u}, -3},
          FenceBroker{n2},
          UnfenceBroker{n2, 123456789012345},
          CreatePartition{PartitionId{9}, {n0, n1, n2}},
          CreatePartition{PartitionId{1}, {}},
          AlterPartition{p0, n1, Epoch{5}, Epoch{300}, {n1, n2}},
          ElectLeader{p0, ElectionKind::preferred},
          ElectLeader{p0, ElectionKind::unclean},
          MarkUncleanShutdown{n3},
          ChangeMember{p0, n2, true, Epoch{0}},
          ChangeMember{p0, n1, false, Epoch{77}}};
}

TEST(CommandCodec, RoundTripsEveryCommand) {
  for (const Command& c : sample_commands()) {
    SCOPED_TRACE(describe(c));
    auto d = decode(encode(c));
    ASSERT_TRUE(d.ok()) << d.error().describe();
    EXPECT_EQ(*d, c);
  }
}

TEST(CommandCodec, RejectsGarbage) {
  EXPECT_EQ(decode("").code(), errc::bad_input);
  EXPECT_EQ(decode(std::string("\x02\x01\x00", 3)).code(), errc::bad_input);      // unknown format
  EXPECT_EQ(decode(std::string("\x01\x63", 2)).code(), errc::bad_input);          // unknown tag
  EXPECT_EQ(decode(std::string("\x01\x06\x00\x07", 4)).code(), errc::bad_input);  // bad election kind
  EXPECT_EQ(decode(std::string("\x01\x02\x80\x00", 4)).code(), errc::bad_input);  // non-minimal varint
  EXPECT_EQ(decode(std::string("\x01\x02\xff\xff\xff\xff\xff\xff\xff\xff\xff\x7f", 12)).code(),
            errc::bad_input);                                                                 // overlong varint
  EXPECT_EQ(decode(std::string("\x01\x02\x80\x80\x80\x80\x10", 7)).code(), errc::bad_input);  // node id > 32 bits
  EXPECT_EQ(decode(std::string("\x01\x04\x00\x7f\x01", 5)).code(), errc::bad_input);          // count beyond the input
  for (const Command& c : sample_commands()) {
    const std::string bytes = encode(c);
    SCOPED_TRACE(describe(c));
    for (size_t n = 0; n < bytes.size(); ++n) EXPECT_EQ(decode(bytes.substr(0, n)).code(), errc::bad_input) << n;
    EXPECT_EQ(decode(bytes + '\0').code(), errc::bad_input);
  }
}

TEST(CommandCodec, RandomBytesNeverCrashAndAcceptedInputIsCanonical) {
  const uint64_t seed = 42;
  SCOPED_TRACE("seed=" + std::to_string(seed));
  Prng rng(seed);
  int accepted = 0;
  for (int i = 0; i < 20000; ++i) {
    std::string s(rng.below(12), '\0');
    for (auto& ch : s) ch = static_cast<char>(rng.below(i % 2 ? 256 : 10));
    if (!s.empty()) s[0] = '\x01';
    auto d = decode(s);
    if (!d.ok()) continue;
    ++accepted;
    EXPECT_EQ(encode(*d), s);  // one command, one encoding
  }
  EXPECT_GT(accepted, 0);
}

// ---------------------------------------------------------------------------------------------
struct Fixture {
  explicit Fixture(CoordinatorConfig cfg = {}, std::vector<NodeId> replicas = {n0, n1, n2}) : st(cfg) {
    for (NodeId n : replicas) {
      EXPECT_TRUE(st.apply(RegisterBroker{n, 1}).status.ok());
      EXPECT_TRUE(st.apply(UnfenceBroker{n, 1}).status.ok());
    }
    auto a = st.apply(CreatePartition{p0, replicas});
    EXPECT_TRUE(a.status.ok());
  }
  const PartitionMetadata& p() const { return *st.partition(p0); }
  Applied alter(std::vector<NodeId> isr) {
    return st.apply(AlterPartition{p0, p().leader, p().leader_epoch, p().partition_epoch, std::move(isr)});
  }
  CoordinatorState st;
};

TEST(CoordinatorState, CreatePartitionLeadsWithFirstLiveReplica) {
  Fixture f;
  EXPECT_EQ(f.p().leader, n0);
  EXPECT_EQ(f.p().isr, (std::vector<NodeId>{n0, n1, n2}));
  EXPECT_EQ(f.p().leader_epoch, Epoch{1});
  EXPECT_EQ(f.p().partition_epoch, Epoch{1});
  EXPECT_EQ(f.st.apply(CreatePartition{p0, {n0}}).status.code(), errc::duplicate);
  EXPECT_EQ(f.st.apply(CreatePartition{PartitionId{1}, {n0, n0}}).status.code(), errc::bad_input);
}

TEST(CoordinatorState, FencingTheLeaderElectsTheNextIsrMemberInAssignmentOrder) {
  Fixture f;
  auto a = f.st.apply(FenceBroker{n0});
  ASSERT_TRUE(a.status.ok());
  ASSERT_EQ(a.changed.size(), 1u);
  EXPECT_EQ(f.p().leader, n1);
  EXPECT_EQ(f.p().isr, (std::vector<NodeId>{n1, n2}));
  EXPECT_EQ(f.p().leader_epoch, Epoch{2});
  EXPECT_EQ(f.p().partition_epoch, Epoch{2});
  EXPECT_TRUE(a.unclean.empty());
}

TEST(CoordinatorState, IsrShrinkBumpsOnlyThePartitionEpoch) {
  Fixture f;
  ASSERT_TRUE(f.alter({n0, n1}).status.ok());
  EXPECT_EQ(f.p().leader_epoch, Epoch{1});
  EXPECT_EQ(f.p().partition_epoch, Epoch{2});
}

TEST(CoordinatorState, StaleAlterPartitionIsRejected) {
  Fixture f;
  const Epoch le = f.p().leader_epoch, pe = f.p().partition_epoch;
  // Two requests based on the same version: the second is stale once the first is applied, which
  // is why a leader keeps one in flight per partition.
  ASSERT_TRUE(f.st.apply(AlterPartition{p0, n0, le, pe, {n0, n1}}).status.ok());
  auto second = f.st.apply(AlterPartition{p0, n0, le, pe, {n0, n2}});
  EXPECT_EQ(second.status.code(), errc::fenced);
  EXPECT_NE(second.status.error().message.find("INVALID_UPDATE_VERSION"), std::string::npos);
  EXPECT_EQ(f.p().isr, (std::vector<NodeId>{n0, n1}));
  // Wrong leader epoch, wrong sender.
  EXPECT_EQ(f.st.apply(AlterPartition{p0, n0, Epoch{9}, f.p().partition_epoch, {n0}}).status.code(), errc::fenced);
  EXPECT_EQ(f.st.apply(AlterPartition{p0, n1, le, f.p().partition_epoch, {n1}}).status.code(), errc::fenced);
  // Leader missing from the ISR, not a replica.
  EXPECT_EQ(f.alter({n1}).status.code(), errc::bad_input);
  EXPECT_EQ(f.alter({n0, n3}).status.code(), errc::bad_input);
  EXPECT_EQ(f.p().partition_epoch, Epoch{2});
}

TEST(CoordinatorState, AlterPartitionCannotAddAFencedReplica) {
  Fixture f;
  ASSERT_TRUE(f.alter({n0, n1}).status.ok());
  ASSERT_TRUE(f.st.apply(FenceBroker{n2}).status.ok());
  EXPECT_EQ(f.alter({n0, n1, n2}).status.code(), errc::unavailable);
  ASSERT_TRUE(f.st.apply(UnfenceBroker{n2, 1}).status.ok());
  EXPECT_TRUE(f.alter({n0, n1, n2}).status.ok());
}

TEST(CoordinatorState, WithoutElrTheLastIsrMemberStaysAndOnlyItCanLead) {
  Fixture f;
  ASSERT_TRUE(f.alter({n0}).status.ok());
  ASSERT_TRUE(f.st.apply(FenceBroker{n0}).status.ok());
  EXPECT_EQ(f.p().leader, kNoNode);
  EXPECT_EQ(f.p().isr, (std::vector<NodeId>{n0}));
  EXPECT_TRUE(f.p().elr.empty());
  EXPECT_EQ(f.st.apply(ElectLeader{p0, ElectionKind::any}).status.code(), errc::unavailable);
  ASSERT_TRUE(f.st.apply(UnfenceBroker{n0, 1}).status.ok());
  EXPECT_EQ(f.p().leader, n0);
}

TEST(CoordinatorState, UncleanElectionPicksTheFirstLiveReplicaAndSaysSo) {
  Fixture f(CoordinatorConfig{.unclean_leader_election = true});
  ASSERT_TRUE(f.alter({n0}).status.ok());
  auto a = f.st.apply(FenceBroker{n0});
  ASSERT_TRUE(a.status.ok());
  EXPECT_EQ(f.p().leader, n1);
  EXPECT_EQ(f.p().isr, (std::vector<NodeId>{n1}));
  EXPECT_EQ(a.unclean, (std::vector<PartitionId>{p0}));
  EXPECT_EQ(f.st.unclean_elections(), 1u);
}

TEST(CoordinatorState, ForcedUncleanElectionWorksWithTheConfigOff) {
  Fixture f;
  ASSERT_TRUE(f.alter({n0}).status.ok());
  ASSERT_TRUE(f.st.apply(FenceBroker{n0}).status.ok());
  auto a = f.st.apply(ElectLeader{p0, ElectionKind::unclean});
  ASSERT_TRUE(a.status.ok());
  EXPECT_EQ(f.p().leader, n1);
  EXPECT_EQ(a.unclean.size(), 1u);
}

TEST(CoordinatorState, ElrKeepsReplicasThatLeftBelowMinIsrAndElectsThem) {
  Fixture f(CoordinatorConfig{.eligible_leader_replicas = true, .min_insync = 2});
  ASSERT_TRUE(f.alter({n0, n1}).status.ok());
  EXPECT_TRUE(f.p().elr.empty());  // ISR still >= min: n2 is not guaranteed to have the HW
  ASSERT_TRUE(f.alter({n0}).status.ok());
  EXPECT_EQ(f.p().elr, (std::vector<NodeId>{n1}));
  ASSERT_TRUE(f.st.apply(FenceBroker{n1}).status.ok());
  ASSERT_TRUE(f.st.apply(FenceBroker{n0}).status.ok());
  EXPECT_TRUE(f.p().isr.empty());  // KIP-966 allows an empty ISR
  EXPECT_EQ(f.p().elr, (std::vector<NodeId>{n0, n1}));
  EXPECT_EQ(f.p().leader, kNoNode);
  // n2 is alive but not eligible; n1 comes back and is elected from the ELR.
  EXPECT_EQ(f.st.apply(ElectLeader{p0, ElectionKind::any}).status.code(), errc::unavailable);
  ASSERT_TRUE(f.st.apply(UnfenceBroker{n1, 1}).status.ok());
  EXPECT_EQ(f.p().leader, n1);
  EXPECT_EQ(f.p().isr, (std::vector<NodeId>{n1}));
  EXPECT_EQ(f.p().elr, (std::vector<NodeId>{n0}));
}

TEST(CoordinatorState, UncleanShutdownRemovesAReplicaFromTheElr) {
  Fixture f(CoordinatorConfig{.eligible_leader_replicas = true, .min_insync = 2});
  ASSERT_TRUE(f.alter({n0, n1}).status.ok());
  ASSERT_TRUE(f.alter({n0}).status.ok());
  ASSERT_TRUE(f.st.apply(FenceBroker{n1}).status.ok());
  ASSERT_TRUE(f.st.apply(FenceBroker{n0}).status.ok());
  ASSERT_TRUE(f.st.apply(RegisterBroker{n0, 2}).status.ok());
  ASSERT_TRUE(f.st.apply(MarkUncleanShutdown{n0}).status.ok());
  EXPECT_EQ(f.p().elr, (std::vector<NodeId>{n1}));
  EXPECT_EQ(f.p().unclean_shutdown, (std::vector<NodeId>{n0}));
  ASSERT_TRUE(f.st.apply(UnfenceBroker{n0, 2}).status.ok());
  EXPECT_EQ(f.p().leader, kNoNode);  // n0 may have lost committed records: not eligible
}

TEST(CoordinatorState, UncleanShutdownWithoutElrLeavesTheLastIsrMemberEligible) {
  Fixture f;
  ASSERT_TRUE(f.alter({n0}).status.ok());
  ASSERT_TRUE(f.st.apply(FenceBroker{n0}).status.ok());
  ASSERT_TRUE(f.st.apply(RegisterBroker{n0, 2}).status.ok());
  ASSERT_TRUE(f.st.apply(MarkUncleanShutdown{n0}).status.ok());
  ASSERT_TRUE(f.st.apply(UnfenceBroker{n0, 2}).status.ok());
  EXPECT_EQ(f.p().leader, n0);  // the "last replica standing" problem KIP-966 fixes
}

TEST(CoordinatorState, PreferredElection) {
  Fixture f;
  ASSERT_TRUE(f.st.apply(FenceBroker{n0}).status.ok());
  EXPECT_EQ(f.p().leader, n1);
  EXPECT_EQ(f.st.apply(ElectLeader{p0, ElectionKind::preferred}).status.code(), errc::unavailable);
  ASSERT_TRUE(f.st.apply(UnfenceBroker{n0, 1}).status.ok());
  EXPECT_EQ(f.st.apply(ElectLeader{p0, ElectionKind::preferred}).status.code(), errc::unavailable);  // not in ISR
  ASSERT_TRUE(f.alter({n1, n2, n0}).status.ok());
  const Epoch before = f.p().leader_epoch;
  ASSERT_TRUE(f.st.apply(ElectLeader{p0, ElectionKind::preferred}).status.ok());
  EXPECT_EQ(f.p().leader, n0);
  EXPECT_EQ(f.p().leader_epoch, before.next());
}

TEST(CoordinatorState, MemberDownAndUpFollowGmViewRules) {
  Fixture f;
  const Epoch le = f.p().leader_epoch;
  auto a = f.st.apply(
      command_from_request(MetadataRequest{MetadataRequest::Kind::member_down, p0, Epoch{}, Epoch{}, {}, n0}, n1));
  ASSERT_TRUE(a.status.ok());
  EXPECT_EQ(f.p().leader, n1);  // the eldest remaining member
  EXPECT_EQ(f.p().isr, (std::vector<NodeId>{n1, n2}));
  EXPECT_EQ(f.p().leader_epoch, le.next());
  // Idempotent: a second report of the same death changes nothing.
  EXPECT_TRUE(f.st.apply(ChangeMember{p0, n0, false, Epoch{0}}).changed.empty());
  ASSERT_TRUE(f.st.apply(ChangeMember{p0, n0, true, f.p().partition_epoch}).status.ok());
  EXPECT_EQ(f.p().isr, (std::vector<NodeId>{n1, n2, n0}));
  EXPECT_EQ(f.p().leader_epoch, le.next().next());  // every view change is a new view number
  EXPECT_EQ(f.st.apply(ChangeMember{p0, n2, false, Epoch{1}}).status.code(), errc::fenced);
}

TEST(CoordinatorState, SameCommandsGiveTheSameState) {
  const uint64_t seed = 7;
  SCOPED_TRACE("seed=" + std::to_string(seed));
  Prng rng(seed);
  std::vector<Command> cmds;
  for (uint32_t n = 0; n < 5; ++n) {
    cmds.push_back(RegisterBroker{NodeId{n}, 1});
    cmds.push_back(UnfenceBroker{NodeId{n}, 1});
  }
  for (uint32_t p = 0; p < 4; ++p)
    cmds.push_back(CreatePartition{PartitionId{p}, {NodeId{p % 5}, NodeId{(p + 1) % 5}, NodeId{(p + 2) % 5}}});
  CoordinatorConfig cfg{.unclean_leader_election = true, .eligible_leader_replicas = true, .min_insync = 2};
  CoordinatorState probe(cfg);
  for (auto& c : cmds) (void)probe.apply(c);
  for (int i = 0; i < 400; ++i) {
    NodeId n{static_cast<uint32_t>(rng.below(5))};
    PartitionId p{static_cast<uint32_t>(rng.below(4))};
    Command c;
    switch (rng.below(6)) {
      case 0:
        c = FenceBroker{n};
        break;
      case 1:
        c = UnfenceBroker{n, 1};
        break;
      case 2:
        c = ElectLeader{p, static_cast<ElectionKind>(rng.below(3))};
        break;
      case 3:
        c = MarkUncleanShutdown{n};
        break;
      default: {
        const PartitionMetadata* m = probe.partition(p);
        std::vector<NodeId> isr{m->leader};
        for (NodeId r : m->replicas)
          if (r != m->leader && rng.chance(0.5)) isr.push_back(r);
        c = AlterPartition{p, m->leader, m->leader_epoch, m->partition_epoch, isr};
      }
    }
    (void)probe.apply(c);
    cmds.push_back(c);
  }
  CoordinatorState a(cfg), b(cfg);
  for (auto& c : cmds) {
    auto ra = a.apply(c);
    auto rb = b.apply(*decode(encode(c)));  // as a follower replica would, from the log
    ASSERT_EQ(ra.status.code(), rb.status.code());
    ASSERT_EQ(ra.changed.size(), rb.changed.size());
  }
  EXPECT_EQ(a.dump(), b.dump());
  EXPECT_EQ(a.dump(), probe.dump());
  for (const auto& [pid, m] : a.partitions()) {
    if (m.leader != kNoNode) {
      EXPECT_NE(std::find(m.isr.begin(), m.isr.end(), m.leader), m.isr.end());
    }
  }
}

}  // namespace
}  // namespace rb::coordinator
