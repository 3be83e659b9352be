// The account routes (docs/accounts.md), as handlers of the route table. /api/me and
// /api/me/export block (keys, database, Firebase): their routes are marked `blocking`, so they run
// on the blocking pool. Every one answers 404 `accounts-off` when no accounts are configured.
#pragma once

#include <nlohmann/json_fwd.hpp>

#include "accounts/profile_store.hpp"
#include "http/router.hpp"

namespace cieloweb::server::accounts {

// Recent sign-in for a deletion: the person typed their password (or chose their Google account)
// within this long, so a token lifted from an unattended browser cannot delete the account.
inline constexpr std::int64_t recent_sign_in_s = 5 * 60;

// /api/me: GET the profile (404 `no-profile` before sign-up finished here), POST to make it (with
// an age pass), PUT to correct name, username or company, DELETE the account.
http::HttpResponse me(const http::RouteCall& call, http::Services& services);
// GET /api/me/export: one JSON download of everything held about the person.
http::HttpResponse me_export(const http::RouteCall& call, http::Services& services);
// GET /api/auth-config: how the page reaches Firebase ({"enabled":false} without accounts).
http::HttpResponse auth_config(const http::RouteCall& call, http::Services& services);
// POST /api/age-gate: the 16+ screen (accounts/age_gate.hpp).
http::HttpResponse age_gate(const http::RouteCall& call, http::Services& services);

// A profile as the API shows it: every stored field.
nlohmann::json profile_json(const Profile& profile);

}  // namespace cieloweb::server::accounts
