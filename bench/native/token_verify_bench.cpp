// Firebase ID token verifications per second on one thread, by the server's own verifier
// (server/src/accounts) with a cached key: what a signed-in request costs before the deletion
// ledger, i.e. what firebase-admin's verifyIdToken does. Each verification takes the key cache's
// current set (fetched once, from memory, as the server fetches Google's) and runs
// verify_id_token on the token text; every verdict must be the token's person, or the bench fails.
// Two more figures run the server's whole check (TokenVerifier: the deletion ledger in a SQLite
// file too), for tokens seen the first time and for tokens it verified before.
//
// The keys are made here (two RSA-2048 keys, certificates in Google's kid -> PEM form); `--export`
// writes them and the tokens, so the anchor (bench/firebase-admin/verify_tokens.mjs) and the
// /api/me benchmark verify exactly these.
//   token_verify_bench [--seconds 3] [--tokens 64] [--project cieloweb-bench] [--export FILE]
// Prints one JSON object: per_s, verified, with_ledger_per_s, repeat_per_s, fetches.
#include <unistd.h>

#include <memory>

#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "accounts/id_token.hpp"
#include "accounts/key_cache.hpp"
#include "accounts/sqlite_profile_store.hpp"
#include "accounts/token_verifier.hpp"
#include "token_test_keys.hpp"
#include "wall_clock.hpp"

namespace {

using namespace cieloweb::server;
using namespace cieloweb::server::accounts;
using Clock = std::chrono::steady_clock;
using nlohmann::json;

struct Options {
  double seconds = 3;
  std::size_t tokens = 64;
  std::string project = "cieloweb-bench";
  std::string export_path;
};

// Runs `verify_one(i)` over the tokens round-robin for `seconds` (after a short warm-up); returns
// verifications per second. `verify_one` returns false for a verdict other than the token's person.
template <class Verify>
double rate(double seconds, std::size_t count, std::uint64_t& verified, Verify verify_one) {
  const auto run = [&](double for_s, std::uint64_t& done) {
    const auto until = Clock::now() + std::chrono::duration_cast<Clock::duration>(
                                          std::chrono::duration<double>(for_s));
    std::size_t i = 0;
    for (;;) {
      for (int batch = 0; batch < 64; ++batch, ++i) {
        if (!verify_one(i % count)) {
          std::cerr << "token_verify_bench: token " << i % count << " was refused\n";
          std::exit(1);
        }
        ++done;
      }
      if (Clock::now() >= until) return;
    }
  };
  std::uint64_t warm = 0;
  run(std::min(0.3, seconds), warm);
  const auto t0 = Clock::now();
  run(seconds, verified);
  return static_cast<double>(verified) / std::chrono::duration<double>(Clock::now() - t0).count();
}

}  // namespace

int main(int argc, char** argv) {
  Options opt;
  for (int i = 1; i + 1 < argc; i += 2) {
    const std::string key = argv[i];
    const std::string value = argv[i + 1];
    if (key == "--seconds")
      opt.seconds = std::stod(value);
    else if (key == "--tokens")
      opt.tokens = std::max<std::size_t>(1, std::stoul(value));
    else if (key == "--project")
      opt.project = value;
    else if (key == "--export")
      opt.export_path = value;
    else {
      std::cerr << "token_verify_bench: unknown option " << key << "\n";
      return 2;
    }
  }

  // Google publishes two certificates at a time and signs with one; tokens here come from both.
  const auto key_a = test::make_rsa_key(2048);
  const auto key_b = test::make_rsa_key(2048);
  const std::string certs =
      test::certificates_json({{"bench-key-a", key_a}, {"bench-key-b", key_b}});
  const auto now = unix_now_s();
  std::vector<std::string> tokens;
  std::vector<std::string> uids;
  for (std::size_t i = 0; i < opt.tokens; ++i) {
    uids.push_back("benchUser" + std::to_string(100000 + i) + "xQ7pL2mN9vR4");
    auto claims = test::id_token_claims(opt.project, now, uids.back());
    // The other claims of a real password account's token, so the size is a real one's (~900 B).
    const std::string email = "bench" + std::to_string(i) + "@example.test";
    claims["user_id"] = uids.back();
    claims["email"] = email;
    claims["email_verified"] = true;
    claims["firebase"] = {{"identities", {{"email", {email}}}}, {"sign_in_provider", "password"}};
    const bool a = i % 2 == 0;
    tokens.push_back(test::sign_jwt(
        {{"alg", "RS256"}, {"kid", a ? "bench-key-a" : "bench-key-b"}, {"typ", "JWT"}}, claims,
        a ? key_a.get() : key_b.get()));
  }
  if (!opt.export_path.empty()) {
    std::ofstream out(opt.export_path);
    out << json{{"project", opt.project},
                {"certs", json::parse(certs)},
                {"uids", uids},
                {"tokens", tokens}}
               .dump();
    if (!out) {
      std::cerr << "token_verify_bench: cannot write " << opt.export_path << "\n";
      return 1;
    }
  }
  json result = json::object();
  if (opt.seconds <= 0) {
    std::cout << result.dump() << std::endl;
    return 0;
  }

  int fetches = 0;
  auto cache = std::make_shared<KeyCache>("https://keys.bench/certs", [&](const std::string&) {
    ++fetches;
    return FetchResponse{200, certs, "public, max-age=20000, must-revalidate, no-transform", {}};
  });
  const TokenPolicy policy{opt.project, false, max_leeway_s};

  // A control: the first token claiming another person must be refused for its signature, or
  // nothing is checked here.
  {
    auto claims = test::id_token_claims(opt.project, now, uids[1]);
    claims["user_id"] = uids[1];
    const auto& first = tokens.front();
    const std::string forged =
        test::sign_jwt({{"alg", "RS256"}, {"kid", "bench-key-a"}, {"typ", "JWT"}}, claims,
                       nullptr) +
        first.substr(first.rfind('.') + 1);
    cache->refresh_if_stale(now);
    const auto verdict = verify_id_token(std::string_view(forged), policy, *cache->keys(), now);
    const auto* error = std::get_if<TokenError>(&verdict);
    if (error == nullptr || *error != TokenError::bad_signature) {
      std::cerr << "token_verify_bench: a forged token was not refused for its signature\n";
      return 1;
    }
  }

  std::uint64_t verified = 0;
  const double per_s = rate(opt.seconds, tokens.size(), verified, [&](std::size_t i) {
    const auto clock = unix_now_s();
    if (!cache->refresh_if_stale(clock)) return false;
    const auto keys = cache->keys();
    const auto verdict = verify_id_token(std::string_view(tokens[i]), policy, *keys, clock);
    const auto* person = std::get_if<IdToken>(&verdict);
    return person != nullptr && person->uid == uids[i];
  });

  // The server's whole check: the same, then the deletion ledger in a SQLite file. First sight:
  // a new verifier for every pass over the tokens, so none is remembered (a page's first request
  // with a fresh token). Again: one verifier throughout, so every token is one it verified before
  // (a page's later requests within the token's hour), which skips the RSA check.
  const auto db = std::filesystem::temp_directory_path() /
                  ("cieloweb-token-bench-" + std::to_string(getpid()) + ".db");
  double with_ledger_per_s = 0;
  double repeat_per_s = 0;
  std::uint64_t verified_with_ledger = 0;
  std::uint64_t verified_repeat = 0;
  {
    auto store = std::make_shared<SqliteProfileStore>(db.string());
    std::unique_ptr<TokenVerifier> fresh;
    with_ledger_per_s = rate(opt.seconds, tokens.size(), verified_with_ledger, [&](std::size_t i) {
      if (i == 0) fresh = std::make_unique<TokenVerifier>(policy, cache, store);
      const auto answer = fresh->verify(tokens[i], unix_now_s());
      const auto* identity = std::get_if<Identity>(&answer);
      return identity != nullptr && identity->token.uid == uids[i];
    });
    TokenVerifier verifier(policy, cache, store);
    repeat_per_s = rate(opt.seconds, tokens.size(), verified_repeat, [&](std::size_t i) {
      const auto answer = verifier.verify(tokens[i], unix_now_s());
      const auto* identity = std::get_if<Identity>(&answer);
      return identity != nullptr && identity->token.uid == uids[i];
    });
  }
  for (const char* suffix : {"", "-wal", "-shm"}) std::filesystem::remove(db.string() + suffix);
  if (fetches != 1) {
    std::cerr << "token_verify_bench: the keys were fetched " << fetches << " times, not once\n";
    return 1;
  }

  result["per_s"] = per_s;
  result["verified"] = verified;
  result["with_ledger_per_s"] = with_ledger_per_s;
  result["verified_with_ledger"] = verified_with_ledger;
  result["repeat_per_s"] = repeat_per_s;
  result["fetches"] = fetches;
  result["tokens"] = tokens.size();
  result["token_bytes"] = tokens.front().size();
  std::cout << result.dump() << std::endl;
  return 0;
}
