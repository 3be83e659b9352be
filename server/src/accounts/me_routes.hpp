// The account routes (/api/me…), as handlers of the route table. They block (keys, database):
// their routes are marked `blocking`, so they run on the blocking pool.
#pragma once

#include "http/router.hpp"

namespace cieloweb::server::accounts {

// GET /api/me: the signed-in person's profile, every stored field. 404 `no-profile` when they
// signed in with Firebase but never finished sign-up here; 404 `accounts-off` when the server has
// no accounts configured.
http::HttpResponse get_me(const http::RouteCall& call, http::Services& services);

}  // namespace cieloweb::server::accounts
