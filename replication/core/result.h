#pragma once
// A small Result<T>: either a value or an Error (an errc plus a human-readable message that names
// the problem). Used at every boundary where failure is an expected outcome.
#include <optional>
#include <string>
#include <utility>
#include <variant>

#include "replication/core/assert.h"
#include "replication/core/errc.h"

namespace rb {

struct Error {
  errc code = errc::ok;
  std::string message;
  std::string describe() const { return std::string(to_string(code)) + (message.empty() ? "" : ": " + message); }
};

inline Error make_error(errc code, std::string message = {}) { return Error{code, std::move(message)}; }

template <class T>
class [[nodiscard]] Result {
 public:
  Result(T value) : v_(std::move(value)) {}      // NOLINT: implicit on purpose
  Result(Error error) : v_(std::move(error)) {}  // NOLINT
  bool ok() const { return v_.index() == 0; }
  explicit operator bool() const { return ok(); }
  T& value() & {
    RB_ASSERT_MSG(ok(), "Result::value() on an error");
    return std::get<0>(v_);
  }
  const T& value() const& {
    RB_ASSERT_MSG(ok(), "Result::value() on an error");
    return std::get<0>(v_);
  }
  T&& value() && {
    RB_ASSERT_MSG(ok(), "Result::value() on an error");
    return std::get<0>(std::move(v_));
  }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }
  T& operator*() { return value(); }
  const T& operator*() const { return value(); }
  const Error& error() const {
    RB_ASSERT_MSG(!ok(), "Result::error() on a value");
    return std::get<1>(v_);
  }
  errc code() const { return ok() ? errc::ok : error().code; }

 private:
  std::variant<T, Error> v_;
};

template <>
class [[nodiscard]] Result<void> {
 public:
  Result() = default;
  Result(Error error) : e_(std::move(error)) {}  // NOLINT
  bool ok() const { return !e_.has_value(); }
  explicit operator bool() const { return ok(); }
  const Error& error() const {
    RB_ASSERT_MSG(!ok(), "Result::error() on success");
    return *e_;
  }
  errc code() const { return ok() ? errc::ok : e_->code; }

 private:
  std::optional<Error> e_;
};

using Status = Result<void>;

}  // namespace rb
