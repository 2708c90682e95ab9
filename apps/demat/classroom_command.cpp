// A small static HTTP/1.1 server for the classroom page, in the command
// itself rather than `python3 -m http.server`: a teacher's machine need not
// have Debian's Python (the page needs nothing but its files); the bind
// address is fixed to 127.0.0.1 here, not left to a flag; .wasm is served
// as application/wasm, which browsers require for streaming compilation;
// and paths are confined to the folder (no "..", no symlink escapes, no
// directory listings). One request at a time: a class's projector is one
// browser, and the page is a few files fetched once.
#include "classroom_command.hpp"

#include "core/error.hpp"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <sstream>
#include <string>

#ifndef DEMAT_SOURCE_DIR
#define DEMAT_SOURCE_DIR ""
#endif

namespace demat {

namespace {

namespace fs = std::filesystem;

std::string content_type(const fs::path& p) {
    const std::string ext = p.extension().string();
    if (ext == ".html" || ext == ".htm") return "text/html; charset=utf-8";
    if (ext == ".js" || ext == ".mjs") return "text/javascript; charset=utf-8";
    if (ext == ".css") return "text/css; charset=utf-8";
    if (ext == ".wasm") return "application/wasm";
    if (ext == ".json" || ext == ".map") return "application/json";
    if (ext == ".svg") return "image/svg+xml";
    if (ext == ".png") return "image/png";
    if (ext == ".ico") return "image/x-icon";
    if (ext == ".woff2") return "font/woff2";
    if (ext == ".toml" || ext == ".txt" || ext == ".md") return "text/plain; charset=utf-8";
    if (ext == ".csv") return "text/csv; charset=utf-8";
    return "application/octet-stream";
}

int hex(char c) {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}

// The URL path, percent-decoded, without query or fragment; empty if malformed.
std::string decode_path(const std::string& target) {
    std::string raw = target.substr(0, target.find_first_of("?#"));
    std::string out;
    for (std::size_t i = 0; i < raw.size(); ++i) {
        if (raw[i] == '%') {
            if (i + 2 >= raw.size() || hex(raw[i + 1]) < 0 || hex(raw[i + 2]) < 0) return {};
            const char c = static_cast<char>(hex(raw[i + 1]) * 16 + hex(raw[i + 2]));
            if (c == '\0') return {};
            out += c;
            i += 2;
        } else {
            out += raw[i];
        }
    }
    return out;
}

void send_all(int fd, const std::string& data) {
    std::size_t sent = 0;
    while (sent < data.size()) {
        const ssize_t n = ::send(fd, data.data() + sent, data.size() - sent, MSG_NOSIGNAL);
        if (n <= 0) return;  // the browser went away: nothing to do
        sent += static_cast<std::size_t>(n);
    }
}

void respond(int fd, int status, const std::string& reason, const std::string& type, const std::string& body,
             bool head) {
    std::ostringstream h;
    h << "HTTP/1.1 " << status << ' ' << reason << "\r\n"
      << "Content-Type: " << type << "\r\n"
      << "Content-Length: " << body.size() << "\r\n"
      << "Cache-Control: no-cache\r\n"
      << "X-Content-Type-Options: nosniff\r\n"
      << "Connection: close\r\n\r\n";
    send_all(fd, h.str());
    if (!head) send_all(fd, body);
}

void handle(int fd, const fs::path& root) {
    // Read the request head (a GET has no body); 5 s and 16 KiB at most.
    std::string request;
    char buf[4096];
    while (request.find("\r\n\r\n") == std::string::npos && request.size() < 16384) {
        pollfd p{fd, POLLIN, 0};
        if (::poll(&p, 1, 5000) <= 0) return;
        const ssize_t n = ::recv(fd, buf, sizeof buf, 0);
        if (n <= 0) return;
        request.append(buf, static_cast<std::size_t>(n));
    }
    std::istringstream line(request.substr(0, request.find("\r\n")));
    std::string method, target, version;
    line >> method >> target >> version;
    const bool head = method == "HEAD";
    if (method != "GET" && !head) return respond(fd, 405, "Method Not Allowed", "text/plain", "GET or HEAD only\n", false);
    const std::string path = decode_path(target);
    if (path.empty() || path[0] != '/') return respond(fd, 400, "Bad Request", "text/plain", "bad path\n", head);
    fs::path relative = fs::path(path.substr(1)).lexically_normal();
    if (!relative.empty() && *relative.begin() == "..")
        return respond(fd, 403, "Forbidden", "text/plain", "outside the served folder\n", head);
    std::error_code ec;
    fs::path file = root / relative;
    if (fs::is_directory(file, ec)) file /= "index.html";
    // Symlinks must not lead out of the folder either.
    const fs::path real = fs::weakly_canonical(file, ec);
    const auto mismatch = std::mismatch(root.begin(), root.end(), real.begin(), real.end());
    if (ec || mismatch.first != root.end() || !fs::is_regular_file(real, ec))
        return respond(fd, 404, "Not Found", "text/plain", "not found: " + path + "\n", head);
    std::ifstream in(real, std::ios::binary);
    std::ostringstream body;
    body << in.rdbuf();
    respond(fd, 200, "OK", content_type(real), body.str(), head);
}

fs::path find_root(const std::string& dir) {
    if (!dir.empty()) {
        if (!fs::is_directory(dir))
            throw UsageError("classroom: " + dir + " is not a folder: give the built page's folder (web/dist, "
                            "built by scripts/build-web.sh and the page's build)");
        return fs::canonical(dir);
    }
    for (const fs::path& candidate : {fs::path("web/dist"), fs::path(DEMAT_SOURCE_DIR) / "web/dist"})
        if (!candidate.empty() && fs::is_regular_file(candidate / "index.html")) return fs::canonical(candidate);
    throw UsageError(std::string("classroom: no built page: web/dist/index.html is missing (looked in ./web/dist") +
                    (std::string(DEMAT_SOURCE_DIR).empty() ? "" : " and " + std::string(DEMAT_SOURCE_DIR) + "/web/dist") +
                    "); build it with scripts/test.sh (or give --dir FOLDER)");
}

}  // namespace

int serve_classroom(const ClassroomOptions& o, const std::atomic<bool>& interrupted) {
    const fs::path root = find_root(o.dir);
    if (!fs::is_regular_file(root / "index.html"))
        throw UsageError("classroom: " + root.string() + "/index.html is missing: not a built page");
    const int server = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (server < 0) throw UsageError(std::string("classroom: cannot open a socket: ") + std::strerror(errno));
    const int one = 1;
    ::setsockopt(server, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);  // 127.0.0.1 only: never the network
    address.sin_port = htons(static_cast<std::uint16_t>(o.port));
    if (::bind(server, reinterpret_cast<sockaddr*>(&address), sizeof address) != 0 || ::listen(server, 16) != 0) {
        const std::string why = std::strerror(errno);
        ::close(server);
        throw UsageError("classroom: cannot listen on 127.0.0.1:" + std::to_string(o.port) + ": " + why +
                        " (another --port?)");
    }
    socklen_t length = sizeof address;
    ::getsockname(server, reinterpret_cast<sockaddr*>(&address), &length);
    std::cout << "demat classroom: serving " << root.string() << " at http://127.0.0.1:" << ntohs(address.sin_port)
              << "/ (Ctrl-C to stop)" << std::endl;
    const auto start = std::chrono::steady_clock::now();
    int code = 0;
    for (;;) {
        if (interrupted.load()) {
            code = 130;
            break;
        }
        if (o.stop_after &&
            std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count() >= *o.stop_after)
            break;
        pollfd p{server, POLLIN, 0};
        if (::poll(&p, 1, 100) <= 0) continue;
        const int client = ::accept4(server, nullptr, nullptr, SOCK_CLOEXEC);
        if (client < 0) continue;
        handle(client, root);
        ::close(client);
    }
    ::close(server);
    return code;
}

}  // namespace demat
