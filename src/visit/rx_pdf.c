/* The prescription as a PDF (A5, what a pharmacy expects to see): facility, patient, diagnosis,
 * the medicines and how to take them, the doctor's name and licence, when it was signed and the
 * content hash. Drawn with cairo and laid out with pango (Noto Sans, so Vietnamese diacritics and
 * minority-language names render); runs on a worker thread like every handler. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "visit.h"
#include "ytexa/pdf.h"

#define MARGIN 36.0

#define RX_PDF_SELECT                                                                                        \
    "SELECT p.items, p.note, p.version, p.signer_name, p.signer_licence, p.signed_at, p.content_hash, "      \
    "pt.full_name, pt.birth_year, pt.sex, pt.cccd, pt.bhyt, f.name AS facility_name, "                       \
    "df.name AS doctor_facility_name, "                                                                      \
    "(SELECT d.code FROM visit_diagnoses d WHERE d.visit_id = v.id AND d.is_primary = 1 ORDER BY d.id DESC " \
    "LIMIT 1) AS diagnosis_code, "                                                                           \
    "(SELECT i.name_vi FROM visit_diagnoses d JOIN icd10 i ON i.code = d.code OR i.code = substr(d.code, "   \
    "1, 3) "                                                                                                 \
    " WHERE d.visit_id = v.id AND d.is_primary = 1 ORDER BY d.id DESC, length(i.code) DESC LIMIT 1) "        \
    "AS diagnosis_name, "                                                                                    \
    "v.follow_up_date, p.id "                                                                                \
    "FROM prescriptions p JOIN visits v ON v.id = p.visit_id JOIN patients pt ON pt.id = p.patient_id "      \
    "JOIN facilities f ON f.id = v.facility_id JOIN facilities df ON df.id = v.doctor_facility_id WHERE "    \
    "p.id = ?"

static void draw(struct yx_pdf *p, const struct yx_rows *row)
{
    char when[32];
    const char *sex = yx_rows_str(row, 0, "sex"), *cccd = yx_rows_str(row, 0, "cccd"),
               *bhyt = yx_rows_str(row, 0, "bhyt"), *dx = yx_rows_str(row, 0, "diagnosis_name"),
               *code = yx_rows_str(row, 0, "diagnosis_code");
    yx_pdf_text(p, "Noto Sans 8", yx_rows_str(row, 0, "doctor_facility_name"));
    yx_pdf_gap(p, 6);
    yx_pdf_text(p, "Noto Sans Bold 16", "ĐƠN THUỐC");
    yx_pdf_textf(p, "Noto Sans 8", "Khám từ xa qua ytexa · số %s, bản %s", yx_rows_str(row, 0, "id"),
                 yx_rows_str(row, 0, "version"));
    yx_pdf_gap(p, 8);
    yx_pdf_textf(p, "Noto Sans 10", "Họ tên: %s    Năm sinh: %s    Giới tính: %s",
                 yx_rows_str(row, 0, "full_name"), yx_rows_str(row, 0, "birth_year"),
                 strcmp(sex, "male") == 0     ? "Nam"
                 : strcmp(sex, "female") == 0 ? "Nữ"
                                              : "Khác");
    if (cccd || bhyt)
        yx_pdf_textf(p, "Noto Sans 10", "%s%s%s%s", cccd ? "CCCD: " : "", cccd ? cccd : "",
                     bhyt ? "    Thẻ BHYT: " : "", bhyt ? bhyt : "");
    yx_pdf_textf(p, "Noto Sans 10", "Nơi quản lý: %s", yx_rows_str(row, 0, "facility_name"));
    yx_pdf_textf(p, "Noto Sans 10", "Chẩn đoán: %s%s%s%s", dx ? dx : "", dx ? " (" : "", code ? code : "—",
                 dx ? ")" : "");
    json_t *items = json_loads(yx_rows_str(row, 0, "items"), 0, NULL), *it;
    size_t i;
    yx_pdf_gap(p, 6);
    json_array_foreach(items, i, it)
    {
        yx_pdf_room(p, 40);
        yx_pdf_textf(p, "Noto Sans Bold 10", "%zu. %s %s — SL: %lld %s", i + 1, yx_json_str(it, "medicine"),
                     yx_json_str(it, "strength"), (long long)yx_json_int(it, "quantity", 0),
                     yx_json_str(it, "unit") ? yx_json_str(it, "unit") : "");
        yx_pdf_textf(p, "Noto Sans 9", "Mỗi lần %s, %s, trong %lld ngày%s%s", yx_json_str(it, "dose"),
                     yx_json_str(it, "frequency"), (long long)yx_json_int(it, "duration_days", 0),
                     yx_json_str(it, "instructions") ? ". " : "",
                     yx_json_str(it, "instructions") ? yx_json_str(it, "instructions") : "");
    }
    json_decref(items);
    if (yx_rows_str(row, 0, "note")) {
        yx_pdf_gap(p, 4);
        yx_pdf_textf(p, "Noto Sans 9", "Lời dặn: %s", yx_rows_str(row, 0, "note"));
    }
    if (yx_rows_str(row, 0, "follow_up_date")) {
        const char *d = yx_rows_str(row, 0, "follow_up_date");
        yx_pdf_textf(p, "Noto Sans 9", "Hẹn tái khám: %.2s/%.2s/%.4s", d + 8, d + 5, d);
    }
    /* As the pharmacist's and the patient's clocks show it: Vietnam keeps UTC+7 all year. */
    yx_time_vn(yx_rows_i64(row, 0, "signed_at"), "%d/%m/%Y %H:%M", when, sizeof when);
    yx_pdf_gap(p, 10);
    yx_pdf_room(p, 150);
    yx_pdf_textf(p, "Noto Sans 10", "Bác sĩ kê đơn: %s\nSố CCHN: %s\nKý lúc: %s (giờ Việt Nam)",
                 yx_rows_str(row, 0, "signer_name"),
                 yx_rows_str(row, 0, "signer_licence") ? yx_rows_str(row, 0, "signer_licence") : "—", when);
    /* The verification corner, as on minutes and certificates: a QR code of the verification
     * path, the code to type, and the hash. */
    char vcode[12], path[32];
    const char *hash = yx_rows_str(row, 0, "content_hash");
    yx_prescription_code(hash, vcode);
    yx_snprintf(path, sizeof path, "/api/v1/verify/%s", vcode);
    yx_pdf_gap(p, 6);
    double qr = 64, top = p->y, tx = p->margin + qr + 8;
    yx_pdf_qr(p, p->margin, top, qr, path);
    double h = yx_pdf_text_box(p, "Noto Sans Bold 10", "Mã kiểm tra đơn:", tx, top + 4, p->w - tx - p->margin,
                               YX_PDF_LEFT);
    h += yx_pdf_text_box(p, "Noto Sans Bold 10", vcode, tx, top + 4 + h, p->w - tx - p->margin, YX_PDF_LEFT);
    char line[96];
    yx_snprintf(line, sizeof line, "Quét mã QR hoặc mở %s để kiểm tra đơn thuốc này.", path);
    yx_pdf_text_box(p, "Noto Sans 8", line, tx, top + 8 + h, p->w - tx - p->margin, YX_PDF_LEFT);
    yx_pdf_gap(p, qr + 6);
    yx_pdf_textf(p, "Noto Sans Mono 6", "SHA-256: %s", hash);
}

int yx_prescription_pdf(struct yx_db *db, int64_t id, char **pdf, size_t *len)
{
    struct yx_rows *row = NULL;
    struct yx_pdf p;
    int rc = YX_DB_Q(db, &row, RX_PDF_SELECT, YX_PI(id));
    if (rc == 0 && row->nrows != 1)
        rc = YX_ENOTFOUND;
    if (rc == 0) {
        yx_pdf_begin(&p, YX_PDF_A5_W, YX_PDF_A5_H, MARGIN);
        yx_pdf_set_date(&p, yx_rows_i64(row, 0, "signed_at"));
        draw(&p, row);
        rc = yx_pdf_end(&p, pdf, len);
    }
    yx_rows_free(row);
    return rc;
}
