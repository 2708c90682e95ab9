#include "io/hdf5_snapshot.hpp"

#include "io/hdf5_checked.hpp"

#include <hdf5_hl.h>

#include <algorithm>
#include <cstdint>
#include <numeric>
#include <stdexcept>
#include <string>
#include <vector>

namespace demat::h5 {

namespace {

using Kind = Handle::Kind;

// Deflate level: the snapshot of a national population is gigabytes before
// compression, written on one thread; level 1 keeps most of the gain
// (codes and small counts) at a fraction of level 4's time.
constexpr unsigned snapshot_deflate_level = 1;

hid_t file_type_of(SnapshotType t) {
    switch (t) {
        case SnapshotType::u8: return H5T_STD_U8LE;
        case SnapshotType::u16: return H5T_STD_U16LE;
        case SnapshotType::u32: return H5T_STD_U32LE;
        case SnapshotType::f32: return H5T_IEEE_F32LE;
    }
    throw std::logic_error("unknown snapshot type");
}

hid_t memory_type_of(SnapshotType t) {
    switch (t) {
        case SnapshotType::u8: return H5T_NATIVE_UINT8;
        case SnapshotType::u16: return H5T_NATIVE_UINT16;
        case SnapshotType::u32: return H5T_NATIVE_UINT32;
        case SnapshotType::f32: return H5T_NATIVE_FLOAT;
    }
    throw std::logic_error("unknown snapshot type");
}

void text_attribute(hid_t object, const char* name, const std::string& text) {
    Handle space(DEMAT_H5(H5Screate, H5S_SCALAR), Kind::dataspace);
    Handle type(DEMAT_H5(H5Tcopy, H5T_C_S1), Kind::datatype);
    DEMAT_H5(H5Tset_size, type, H5T_VARIABLE);
    DEMAT_H5(H5Tset_cset, type, H5T_CSET_UTF8);
    Handle attribute(DEMAT_H5(H5Acreate2, object, name, type, space, H5P_DEFAULT, H5P_DEFAULT), Kind::attribute);
    const char* pointer = text.c_str();
    DEMAT_H5(H5Awrite, attribute, type, &pointer);
}

// CF conventions for coded values: flag_values (the codes) and
// flag_meanings (their names, space-separated).
void flag_attributes(hid_t object, const std::vector<std::string>& labels) {
    std::vector<std::uint8_t> codes(labels.size());
    std::iota(codes.begin(), codes.end(), std::uint8_t{0});
    const hsize_t length = codes.size();
    Handle space(DEMAT_H5(H5Screate_simple, 1, &length, nullptr), Kind::dataspace);
    Handle attribute(DEMAT_H5(H5Acreate2, object, "flag_values", H5T_STD_U8LE, space, H5P_DEFAULT, H5P_DEFAULT),
                     Kind::attribute);
    DEMAT_H5(H5Awrite, attribute, H5T_NATIVE_UINT8, codes.data());
    std::string meanings;
    for (const auto& label : labels) {
        if (!meanings.empty()) meanings += ' ';
        meanings += label;
    }
    text_attribute(object, "flag_meanings", meanings);
}

// A [citizens] or [citizens, width] dataset, chunked by
// snapshot_chunk_citizens rows, written from fill(first, count, buffer).
template <typename Fill>
Handle streamed_dataset(hid_t group, const char* name, SnapshotType type, std::size_t citizens, std::size_t width,
                        bool per_service, Fill&& fill) {
    const int rank = per_service ? 2 : 1;
    const hsize_t extent[2] = {citizens, width};
    Handle space(DEMAT_H5(H5Screate_simple, rank, extent, nullptr), Kind::dataspace);
    Handle creation(DEMAT_H5(H5Pcreate, H5P_DATASET_CREATE), Kind::property_list);
    if (citizens > 0) {  // HDF5 cannot chunk an empty axis
        const hsize_t chunk[2] = {std::min<hsize_t>(citizens, snapshot_chunk_citizens), width};
        DEMAT_H5(H5Pset_chunk, creation, rank, chunk);
        DEMAT_H5(H5Pset_shuffle, creation);
        DEMAT_H5(H5Pset_deflate, creation, snapshot_deflate_level);
    }
    Handle dataset(DEMAT_H5(H5Dcreate2, group, name, file_type_of(type), space, H5P_DEFAULT, creation, H5P_DEFAULT),
                   Kind::dataset);
    std::vector<unsigned char> buffer(std::min(citizens, snapshot_chunk_citizens) * width * snapshot_type_bytes(type));
    for (std::size_t first = 0; first < citizens; first += snapshot_chunk_citizens) {
        const std::size_t count = std::min(snapshot_chunk_citizens, citizens - first);
        fill(first, count, static_cast<void*>(buffer.data()));
        const hsize_t start[2] = {first, 0};
        const hsize_t rows[2] = {count, width};
        DEMAT_H5(H5Sselect_hyperslab, space, H5S_SELECT_SET, start, nullptr, rows, nullptr);
        Handle memory(DEMAT_H5(H5Screate_simple, rank, rows, nullptr), Kind::dataspace);
        DEMAT_H5(H5Dwrite, dataset, memory_type_of(type), memory, space, H5P_DEFAULT, buffer.data());
    }
    return dataset;
}

}  // namespace

void write_snapshot(hid_t file, const Snapshot& snapshot) {
    Handle group_creation(DEMAT_H5(H5Pcreate, H5P_GROUP_CREATE), Kind::property_list);
    DEMAT_H5(H5Pset_link_creation_order, group_creation, H5P_CRT_ORDER_TRACKED | H5P_CRT_ORDER_INDEXED);
    Handle group(DEMAT_H5(H5Gcreate2, file, "snapshot", H5P_DEFAULT, group_creation, H5P_DEFAULT), Kind::group);
    text_attribute(group, "description", "the state of every citizen at the end of the run, one row per citizen");

    const std::size_t n = snapshot.citizens;
    Handle citizen = streamed_dataset(group, "citizen", SnapshotType::u32, n, 1, false,
                                      [](std::size_t first, std::size_t count, void* out) {
                                          auto* to = static_cast<std::uint32_t*>(out);
                                          for (std::size_t i = 0; i < count; ++i)
                                              to[i] = static_cast<std::uint32_t>(first + i);
                                      });
    DEMAT_H5(H5DSset_scale, citizen, "citizen");
    text_attribute(citizen, "description", "citizen index (the engine's order: zone by zone)");
    Handle service(DEMAT_H5(H5Dopen2, file, "/service", H5P_DEFAULT), Kind::dataset);

    for (const SnapshotField& field : snapshot.fields) {
        const std::size_t width = field.per_service ? static_cast<std::size_t>(snapshot.services) : 1;
        Handle dataset = streamed_dataset(group, field.name.c_str(), field.type, n, width, field.per_service, field.fill);
        text_attribute(dataset, "description", field.description);
        text_attribute(dataset, "units", field.unit);
        if (!field.labels.empty()) flag_attributes(dataset, field.labels);
        DEMAT_H5(H5DSattach_scale, dataset, citizen, 0u);
        if (field.per_service) DEMAT_H5(H5DSattach_scale, dataset, service, 1u);
    }
}

}  // namespace demat::h5
