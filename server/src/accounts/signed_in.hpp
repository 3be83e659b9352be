// The first step of every signed-in account route: accounts configured (else 404 accounts-off),
// a valid token (else AccountService's refusal), and then the person's profile as it stands now.
#pragma once

#include <string>
#include <variant>

#include "accounts/account_service.hpp"
#include "http/router.hpp"

namespace cieloweb::server::accounts {

struct SignedIn {
  const http::RouteCall& call;
  AccountService& accounts;
  Identity identity;
  std::string raw_token;  // for the person-scoped Firebase calls; never logged

  // The stored profile. A verified email in the token that differs from the stored one is how an
  // email change (re-verified by Firebase) reaches us: it is written here first.
  StoreResult<Profile> current_profile();
};

std::variant<SignedIn, http::HttpResponse> sign_in(const http::RouteCall& call,
                                                   http::Services& services);

}  // namespace cieloweb::server::accounts
