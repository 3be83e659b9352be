#include "connection_slot.hpp"

#include <utility>

#include "server_context.hpp"

namespace cieloweb::server {

ConnectionSlot::ConnectionSlot(ConnectionSlot&& other) noexcept
    : ctx_(std::exchange(other.ctx_, nullptr)), key_(std::move(other.key_)) {}

ConnectionSlot& ConnectionSlot::operator=(ConnectionSlot&& other) noexcept {
  if (this != &other) {
    release();
    ctx_ = std::exchange(other.ctx_, nullptr);
    key_ = std::move(other.key_);
  }
  return *this;
}

ConnectionSlot::~ConnectionSlot() {
  release();
}

void ConnectionSlot::release() {
  if (ctx_ != nullptr) ctx_->uncount_connection(key_);
  ctx_ = nullptr;
}

}  // namespace cieloweb::server
