#pragma once
// LoadGenerator: the workload's producers and consumers, driven through the ClusterApi so the
// same code loads the simulator and a real cluster.
//
// Producers are open-loop: message i of a producer is due at start + i / rate, whether or not the
// cluster kept up, and its latency is measured from that *intended* time (no coordinated
// omission); a bounded in-flight window queues what cannot be sent yet, and the queueing shows up
// as latency. producerRate 0 means closed-loop at the window (maximum throughput).
//
// Producers batch as a Kafka producer's accumulator does: due messages wait in a per-partition
// queue, and one produce request carries up to `batch_max_messages` of them. A partition's queue
// is ready to send when it holds a full batch or its oldest message has waited `linger_ns`; with
// linger 0 a message goes out as soon as the window has room, so batches form only while the
// window is full. The window counts messages, not requests. The defaults (1 message, no linger)
// send every message in its own request. A retried message is always sent alone, so that the
// broker's per-record de-duplication answers it exactly even when only part of its first batch
// was stored. Each message
// carries its producer id and sequence (its identity for the checker) and its intended time (for
// end-to-end latency). Retries reuse the same identity, so idempotent brokers de-duplicate them.
//
// Consumers long-poll committed records from the partition leader, follow redirects, commit their
// offsets every second, and measure end-to-end latency.
#include <cstdint>
#include <deque>
#include <map>
#include <optional>
#include <vector>

#include "harness/metrics/histogram.h"
#include "harness/metrics/interval_series.h"
#include "replication/cluster_api.h"

namespace rb::harness {

struct LoadSpec {
  uint32_t topics = 1;
  uint32_t partitions_per_topic = 1;
  uint32_t producers_per_topic = 1;
  uint32_t subscriptions_per_topic = 1;
  uint32_t consumers_per_subscription = 1;
  uint32_t message_size = 1024;
  double producer_rate = 1000;  // messages/s over all producers; 0 = closed loop
  int64_t warmup_ns = 1'000'000'000;
  int64_t duration_ns = 10'000'000'000;  // measured phase, after warm-up
  uint32_t max_in_flight = 1000;         // per producer, in messages
  uint32_t batch_max_messages = 1;       // records per produce request, >= 1
  int64_t linger_ns = 0;                 // how long a partial batch may wait for more messages
  AckLevel acks = AckLevel::all;
  int64_t request_timeout_ns = 3'000'000'000;    // one attempt; then the outcome is unknown
  int64_t delivery_timeout_ns = 30'000'000'000;  // all attempts of one message
  int64_t retry_backoff_ns = 20'000'000;
  int64_t drain_timeout_ns = 20'000'000'000;  // consumers catch up after producers stop
  int64_t offset_commit_interval_ns = 1'000'000'000;

  uint32_t partitions() const { return topics * partitions_per_topic; }
};

enum class Outcome : uint8_t { ok, fail, unknown };

// One message's fate, for the history and the checker.
struct SendRecord {
  uint32_t producer = 0;  // 1-based producer id (= ProducerId)
  int64_t sequence = 0;
  PartitionId partition;
  int64_t intended_ns = 0;
  int64_t invoke_ns = 0;  // first attempt
  int64_t complete_ns = 0;
  Outcome outcome = Outcome::unknown;
  Offset offset{-1};
  NodeId node = kNoNode;  // the node that acknowledged
  Epoch epoch;
  errc error = errc::ok;
  uint32_t attempts = 0;
};

struct PollRecord {
  uint32_t consumer = 0;
  PartitionId partition;
  int64_t time_ns = 0;
  NodeId node = kNoNode;
  struct Item {
    Offset offset;
    uint64_t producer;
    int64_t sequence;
  };
  std::vector<Item> items;
};

struct LoadResults {
  metrics::LogLinearHistogram publish_latency;  // ack - intended, measured phase only
  metrics::LogLinearHistogram e2e_latency;      // delivery - intended, measured phase only
  metrics::LogLinearHistogram schedule_slip;    // actual send - intended (queueing in the window)
  metrics::IntervalSeries intervals;
  // A deque, not a vector: it grows a block at a time, where a vector doubling to hundreds of MB
  // would copy it and fault in fresh pages in one go, stalling a wall-clock run's client for
  // 50-150 ms every time (measured on the net runtime).
  std::deque<SendRecord> sends;
  std::vector<PollRecord> polls;
  uint64_t sent = 0, acked = 0, failed = 0, unknown = 0, delivered = 0;
  uint64_t measured_acked = 0, measured_delivered = 0;
  uint64_t redirects = 0, retries = 0;
  int64_t start_ns = 0, measure_start_ns = 0, producers_stop_ns = 0, end_ns = 0;
};

class LoadGenerator {
 public:
  LoadGenerator(ClusterApi& cluster, LoadSpec spec, bool keep_history = true);

  // Runs warm-up, the measured phase and the drain, then returns what was measured. `on_second`
  // (optional) is called once per simulated/wall second with the elapsed seconds (for fault
  // schedules and progress).
  LoadResults run(const std::function<void(int64_t second)>& on_second = {});

 private:
  struct Producer {
    uint32_t id;
    uint32_t topic;
    double interval_ns;
    int64_t next_index = 0;
    // Due but not yet sent, per partition of the topic (index k = partition - first of topic).
    std::vector<std::deque<size_t>> unsent;
    size_t unsent_total = 0;
    uint32_t in_flight = 0;  // messages sent at least once and not finished
    uint64_t next_request = 1;
    struct Attempt {
      std::vector<size_t> msgs;  // message indices
      int64_t deadline_ns;       // when the attempt times out
    };
    // Request id -> attempt. Ids grow with send time and the timeout is fixed, so the first entry
    // has the earliest deadline; one timer per producer, armed for it, serves them all.
    std::map<uint64_t, Attempt> outstanding;
    bool timer_armed = false;
  };
  struct Assignment {
    PartitionId partition;
    Offset next{0};
    bool fetching = false;
    uint64_t request = 0;
    int64_t last_commit_ns = 0;
  };
  struct Consumer {
    uint32_t id;
    std::string group;
    std::vector<Assignment> parts;
    uint64_t next_request = 1;
  };

  ClientId producer_client(uint32_t i) const { return i; }
  ClientId consumer_client(uint32_t i) const { return (1ull << 32) + i; }

  void schedule_producer(Producer& p);
  void produce_due(Producer& p);
  void enqueue(Producer& p, size_t msg);
  // Sends ready batches while the window has room.
  void pump(Producer& p);
  // After messages finished: a closed-loop producer creates new ones; then pump.
  void refill(Producer& p);
  void send_attempt(Producer& p, std::vector<size_t> msgs);
  void on_produce_response(Producer& p, const client::ProduceResponse& r);
  void arm_timer(Producer& p, int64_t at_ns);
  // Times out every attempt whose deadline has passed, then re-arms for the next one.
  void on_timer(Producer& p);
  void retry_or_give_up(Producer& p, size_t msg, bool maybe_written, errc err);
  void finish(Producer& p, size_t msg, Outcome o, errc err, const client::ProduceResponse* ok = nullptr,
              Offset offset = Offset{-1});

  void fetch(Consumer& c, size_t a);
  void on_fetch_response(Consumer& c, const client::FetchResponse& r);
  void on_response(ClientId client, client::Response resp);

  NodeId route(PartitionId p);
  void redirect(PartitionId p, NodeId hint);
  // Seconds since the measured phase began, rounded down (warm-up seconds are negative).
  int64_t second_of(int64_t t) const {
    int64_t d = t - results_.measure_start_ns;
    return d >= 0 ? d / 1'000'000'000 : -((-d + 999'999'999) / 1'000'000'000);
  }
  bool measured(int64_t intended) const {
    return intended >= results_.measure_start_ns && intended < results_.producers_stop_ns;
  }

  ClusterApi& cluster_;
  LoadSpec spec_;
  bool keep_history_;
  Payload payload_;
  std::vector<Producer> producers_;
  std::vector<Consumer> consumers_;
  std::map<PartitionId, NodeId> leader_guess_;
  std::map<PartitionId, uint32_t> rotate_;
  LoadResults results_;
  bool producing_ = false;
  // Every message ever sent: identity and state (kept even without history, for the drain).
  struct Msg {
    uint32_t producer;
    int64_t sequence;
    PartitionId partition;
    int64_t intended;
    int64_t invoke = -1;
    uint32_t attempts = 0;
    bool done = false;
    bool maybe_written = false;
  };
  std::deque<Msg> msgs_;  // grows a block at a time, as `LoadResults::sends`
  uint64_t outstanding_total_ = 0;
};

}  // namespace rb::harness
