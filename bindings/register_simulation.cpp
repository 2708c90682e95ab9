// Simulation: one run of one scenario. The engine steps with the GIL
// released; between days the GIL is taken back briefly to run Python's signal
// handlers (Ctrl-C raises KeyboardInterrupt within a day), an optional stop
// callable and the progress report.
#include "register.hpp"

#include "checkpoint/checkpoint.hpp"
#include "core/engine.hpp"
#include "core/results.hpp"
#include "parallel/parallel_executor.hpp"
#include "scenario/reader.hpp"

#include <pybind11/stl.h>

#include <memory>
#include <mutex>
#include <optional>
#include <stdexcept>

namespace py = pybind11;

namespace demat::python {

namespace {

// Misuse of the run lifecycle (results before the run is complete...):
// demat.SimulationError (register_errors.cpp).
class SimulationError : public UsageError {
public:
    using UsageError::UsageError;
};

class Simulation {
public:
    Simulation(Scenario scenario, std::optional<std::uint64_t> seed, int threads)
        : scenario_(std::move(scenario)), threads_(threads) {
        if (threads < 0) throw py::value_error("threads must be >= 0 (0: all cores), got " + std::to_string(threads));
        if (seed) set_seed(scenario_, *seed);
    }

    // A simulation continuing from a checkpoint (demat.Simulation.resume).
    static Simulation resume(const std::string& path, int threads) {
        if (threads < 0) throw py::value_error("threads must be >= 0 (0: all cores), got " + std::to_string(threads));
        auto executor = std::make_unique<ParallelExecutor>(threads);
        std::unique_ptr<Engine> engine;
        {
            py::gil_scoped_release nogil;
            engine = load_checkpoint(path, *executor);
        }
        Simulation sim(engine->scenario(), std::nullopt, threads);
        sim.executor_ = std::move(executor);
        sim.engine_ = std::move(engine);
        return sim;
    }

    // Saves the state at the current day (between two days: before run(),
    // or after an interrupted run()).
    void save_checkpoint(const std::string& path) {
        const auto lock = claim();
        if (running_) throw SimulationError("save_checkpoint() called while the simulation is running");
        if (results_) throw SimulationError("the run is complete: there is nothing left to resume");
        py::gil_scoped_release nogil;
        if (!engine_) {
            executor_ = std::make_unique<ParallelExecutor>(threads_);
            engine_ = std::make_unique<Engine>(scenario_, *executor_);
        }
        demat::save_checkpoint(*engine_, path);
    }

    // `progress`: False, True (a line on stderr) or a callable(day, total_days).
    // `stop`: None or a callable returning True to interrupt (KeyboardInterrupt).
    void run(const py::object& progress, const py::object& stop) {
        const auto lock = claim();
        if (running_) throw SimulationError("run() called while this simulation is already running");
        if (results_) return;  // already complete: nothing to do
        running_ = true;
        struct Done {
            bool& flag;
            ~Done() { flag = false; }
        } done{running_};

        if (!engine_) {
            py::gil_scoped_release nogil;
            executor_ = std::make_unique<ParallelExecutor>(threads_);
            engine_ = std::make_unique<Engine>(scenario_, *executor_);
        }
        const bool callable = PyCallable_Check(progress.ptr()) != 0;
        if (!callable && !py::isinstance<py::bool_>(progress) && !progress.is_none())
            throw py::type_error("progress must be True, False or a callable(day, total_days), got " +
                                 std::string(py::repr(progress)));
        if (!stop.is_none() && PyCallable_Check(stop.ptr()) == 0)
            throw py::type_error("stop must be None or a callable returning True to interrupt, got " +
                                 std::string(py::repr(stop)));
        const bool bar = !callable && !progress.is_none() && progress.cast<bool>();
        const int total = engine_->total_days();
        int reported_percent = -1;
        // As the CLI: a redrawn line on a terminal; in a file or a pipe, one
        // line every 10% (a log of '\r' updates would be a single line).
        py::object stderr_stream = py::module_::import("sys").attr("stderr");
        bool tty = false;
        if (bar) {
            try {
                tty = py::bool_(stderr_stream.attr("isatty")());
            } catch (const py::error_already_set&) {
                tty = false;  // a stream without isatty() is not a terminal
            }
        }
        while (!engine_->completed()) {
            {
                py::gil_scoped_release nogil;
                engine_->step();
            }
            // A KeyboardInterrupt leaves the engine at the end of a day:
            // run() again resumes from there.
            if (PyErr_CheckSignals() != 0) throw py::error_already_set();
            if (!stop.is_none() && py::bool_(stop())) {
                PyErr_SetNone(PyExc_KeyboardInterrupt);
                throw py::error_already_set();
            }
            if (callable) {
                progress(engine_->current_day(), total);
            } else if (bar) {
                const int percent = static_cast<int>(100L * engine_->current_day() / total);
                const int step = tty ? percent : percent / 10;
                if (step != reported_percent) {
                    reported_percent = step;
                    const std::string line = scenario_.name + ": day " + std::to_string(engine_->current_day()) + "/" +
                                             std::to_string(total) + " (" + std::to_string(percent) + "%)";
                    if (tty) stderr_stream.attr("write")("\r" + line + (engine_->completed() ? "\n" : ""));
                    else stderr_stream.attr("write")(line + "\n");
                }
            }
        }
        Results r;
        {
            py::gil_scoped_release nogil;
            r = engine_->results();
            // As `demat run` writes it: the file alone tells every parameter.
            r.attributes["scenario_resolved"] = to_toml(scenario_);
        }
        results_ = std::make_shared<Results>(std::move(r));
        engine_.reset();  // the population and claims are not needed any more
        executor_.reset();
    }

    std::shared_ptr<Results> results() const {
        if (!results_) {
            if (engine_)
                throw SimulationError("the run stopped at day " + std::to_string(engine_->current_day()) + " of " +
                                      std::to_string(engine_->total_days()) +
                                      " (interrupted); call run() to resume it before reading results");
            throw SimulationError("no results yet: call run() first");
        }
        return results_;
    }

    const Scenario& scenario() const { return scenario_; }
    int threads() const { return threads_; }
    bool completed() const { return results_ != nullptr; }
    int current_day() const {
        if (results_) return scenario_.warmup_days + scenario_.days;
        return engine_ ? engine_->current_day() : 0;
    }
    int total_days() const { return scenario_.warmup_days + scenario_.days; }

private:
    // The engine runs with the GIL released, so two Python threads could
    // otherwise step, build or save one engine at once: one call at a time,
    // and a second one is told so at once rather than left waiting for a
    // run of hours.
    std::unique_lock<std::mutex> claim() {
        std::unique_lock<std::mutex> lock(*busy_, std::try_to_lock);
        if (!lock.owns_lock()) throw SimulationError("simulation is busy");
        return lock;
    }

    Scenario scenario_;
    int threads_;
    std::shared_ptr<std::mutex> busy_ = std::make_shared<std::mutex>();
    bool running_ = false;
    std::unique_ptr<ParallelExecutor> executor_;
    std::unique_ptr<Engine> engine_;
    std::shared_ptr<Results> results_;
};

}  // namespace

void register_simulation(py::module_& m) {
    py::class_<Simulation>(m, "Simulation")
        .def(py::init<Scenario, std::optional<std::uint64_t>, int>(), py::arg("scenario"), py::arg("seed") = py::none(),
             py::arg("threads") = 0)
        .def("run", &Simulation::run, py::arg("progress") = false, py::arg("stop") = py::none())
        .def_static("resume", &Simulation::resume, py::arg("path"), py::arg("threads") = 0)
        .def("save_checkpoint", &Simulation::save_checkpoint, py::arg("path"))
        .def_property_readonly("results", &Simulation::results)
        .def_property_readonly("scenario", &Simulation::scenario)
        .def_property_readonly("threads", &Simulation::threads)
        .def_property_readonly("completed", &Simulation::completed)
        .def_property_readonly("current_day", &Simulation::current_day)
        .def_property_readonly("total_days", &Simulation::total_days);
}

}  // namespace demat::python
