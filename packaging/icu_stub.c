/* libicudata.so.NN for the Linux bundle: an ICU common-data package with no entries (15 kB in
   place of 31 MB). QtCore links ICU only for collation (QCollator), legacy text codecs and
   locale-specific case mapping and time-zone names, none of which TwinBench uses; without data
   ICU answers those calls with an error code and Qt falls back to its own tables.
   Built by build.spec: cc -shared -fPIC -DICU_VERSION=NN -Wl,-soname,libicudata.so.NN
   The layout is ICU's common-data header (udata.h): header size, magic 0xda27, UDataInfo
   (little-endian, ASCII, 2-byte UChar, format "CmnD" 1.0), padding, then a table of contents
   with no entries. */
#include <stdint.h>
#ifndef ICU_VERSION
#error "define ICU_VERSION (the NN of libicudata.so.NN)"
#endif
#define CAT2(a, b) a##b
#define CAT(a, b) CAT2(a, b)
#define ENTRY CAT(CAT(icudt, ICU_VERSION), _dat)
struct common_data {
    uint16_t header_size;
    uint8_t magic1, magic2;
    uint16_t info_size, reserved_word;
    uint8_t big_endian, charset_family, sizeof_uchar, reserved_byte;
    uint8_t data_format[4], format_version[4], data_version[4];
    uint8_t padding[8];
    uint32_t count, reserved;
    uint32_t toc[2];
};
__attribute__((visibility("default"))) const struct common_data ENTRY = {
    32, 0xda, 0x27, 20, 0, 0, 0, 2, 0,
    {'C', 'm', 'n', 'D'}, {1, 0, 0, 0}, {0, 0, 0, 0}, {0}, 0, 0, {0, 0},
};
