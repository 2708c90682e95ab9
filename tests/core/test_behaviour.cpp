// The behavioural equations (sim/core/behaviour.hpp) at their boundaries.
#include "core/behaviour.hpp"
#include "core/metrics.hpp"

#include <catch2/catch.hpp>

#include <cmath>

#include <vector>

using namespace demat;

TEST_CASE("online success rises with skill and administrative literacy, falls with complexity and identity checks") {
    const BehaviourParams b;
    const auto p = [&](double skill, double admin, double cx, IdentityRequirement id) {
        return online_success_probability(b, skill, admin, 0.8, Equipment::computer, cx, id);
    };
    REQUIRE(p(0.9, 0.5, 0.5, IdentityRequirement::account) > p(0.3, 0.5, 0.5, IdentityRequirement::account));
    REQUIRE(p(0.6, 0.9, 0.5, IdentityRequirement::account) > p(0.6, 0.2, 0.5, IdentityRequirement::account));
    REQUIRE(p(0.6, 0.5, 0.2, IdentityRequirement::account) > p(0.6, 0.5, 0.8, IdentityRequirement::account));
    REQUIRE(p(0.6, 0.5, 0.5, IdentityRequirement::none) > p(0.6, 0.5, 0.5, IdentityRequirement::account));
    REQUIRE(p(0.6, 0.5, 0.5, IdentityRequirement::account) > p(0.6, 0.5, 0.5, IdentityRequirement::strong));
    // Zero complexity, full skills, no identity check: success is near certain.
    REQUIRE(online_success_probability(b, 1, 1, 1, Equipment::computer, 0, IdentityRequirement::none) > 0.99);
    // A smartphone alone makes complex procedures harder, not simple ones.
    REQUIRE(online_success_probability(b, 0.6, 0.5, 0.8, Equipment::smartphone_only, 0.8, IdentityRequirement::none) <
            online_success_probability(b, 0.6, 0.5, 0.8, Equipment::computer, 0.8, IdentityRequirement::none));
    REQUIRE(online_success_probability(b, 0.6, 0.5, 0.8, Equipment::smartphone_only, 0, IdentityRequirement::none) ==
            online_success_probability(b, 0.6, 0.5, 0.8, Equipment::computer, 0, IdentityRequirement::none));
}

TEST_CASE("the young at ease online but new to procedures can fail where older citizens succeed") {
    const BehaviourParams b;
    // docs/model.md section 6.4: access is not use. High skill with low admin literacy
    // versus moderate skill with high admin literacy, on a complex procedure.
    const double young = online_success_probability(b, 0.85, 0.15, 0.9, Equipment::smartphone_only, 0.8,
                                                    IdentityRequirement::account);
    const double older = online_success_probability(b, 0.55, 0.85, 0.9, Equipment::computer, 0.8,
                                                    IdentityRequirement::account);
    REQUIRE(young < older);
}

TEST_CASE("doing-with mediation succeeds less often than doing-for") {
    const BehaviourParams b;
    MediationParams m;
    m.mode = MediationMode::doing_for;
    const double for_ = staffed_success_probability(b, m, Channel::mediation, 0.3, 0.6);
    m.mode = MediationMode::doing_with;
    const double with = staffed_success_probability(b, m, Channel::mediation, 0.3, 0.6);
    REQUIRE(with < for_);
    REQUIRE(with == Approx(logistic(b.mediation_intercept - m.doing_with_penalty + b.assisted_admin * 0.3 -
                                    b.assisted_complexity * 0.6)));
}

TEST_CASE("claiming is likelier for larger amounts and less likely with stigma and distrust") {
    const BehaviourParams b;
    ServiceParams s;
    s.monthly_amount = 600;
    s.complexity_first = 0.5;
    const double base = claim_probability(b, s, 0.5, 0.7);
    ServiceParams small = s;
    small.monthly_amount = 50;
    REQUIRE(claim_probability(b, small, 0.5, 0.7) < base);
    ServiceParams stigma = s;
    stigma.stigma = 1;
    REQUIRE(claim_probability(b, stigma, 0.5, 0.7) < base);
    REQUIRE(claim_probability(b, s, 0.5, 0.2) < base);
    REQUIRE(claim_probability(b, s, 0.9, 0.7) > base);
}

TEST_CASE("identity checks online: none 0, an account identity_account (1 - skill), strong identity_strong (1 - skill / 2)") {
    const BehaviourParams b;
    for (const double skill : {0.0, 0.4, 1.0}) {
        REQUIRE(identity_barrier(b, IdentityRequirement::none, skill) == 0.0);
        REQUIRE(identity_barrier(b, IdentityRequirement::account, skill) == Approx(b.identity_account * (1.0 - skill)));
        REQUIRE(identity_barrier(b, IdentityRequirement::strong, skill) == Approx(b.identity_strong * (1.0 - 0.5 * skill)));
    }
    // The skilled get through a strong check more easily, never without cost.
    REQUIRE(identity_barrier(b, IdentityRequirement::strong, 0.9) < identity_barrier(b, IdentityRequirement::strong, 0.1));
    REQUIRE(identity_barrier(b, IdentityRequirement::strong, 1.0) > 0.0);
}

TEST_CASE("contesting a rejection: the logistic of docs/model.md, rising with capital and trust") {
    // p = logistic(contest_intercept + contest_capital x capital + contest_trust x trust)
    const BehaviourParams b;
    for (const double capital : {0.0, 0.3, 0.9})
        for (const double trust : {0.1, 0.8}) {
            const double z = b.contest_intercept + b.contest_capital * capital + b.contest_trust * trust;
            REQUIRE(contest_probability(b, capital, trust) == Approx(1.0 / (1.0 + std::exp(-z))).epsilon(1e-12));
        }
    REQUIRE(contest_probability(b, 0.9, 0.5) > contest_probability(b, 0.1, 0.5));
    REQUIRE(contest_probability(b, 0.5, 0.9) > contest_probability(b, 0.5, 0.1));
}

TEST_CASE("concentration index: 0 when take-up is equal, the analytic value when it is concentrated") {
    std::vector<std::int64_t> eligible(100, 100), equal(100, 50), top(100, 0);
    REQUIRE(concentration_index(eligible.data(), equal.data(), 100) == Approx(0).margin(1e-12));
    for (int g = 50; g < 100; ++g) top[static_cast<std::size_t>(g)] = 100;
    // All take-up in the top half: C = 2 * mean rank of receivers - 1 = 2 * 0.75 - 1 = 0.5.
    REQUIRE(concentration_index(eligible.data(), top.data(), 100) == Approx(0.5).epsilon(1e-9));
    std::vector<std::int64_t> bottom(100, 0);
    for (int g = 0; g < 50; ++g) bottom[static_cast<std::size_t>(g)] = 100;
    REQUIRE(concentration_index(eligible.data(), bottom.data(), 100) == Approx(-0.5).epsilon(1e-9));
}
