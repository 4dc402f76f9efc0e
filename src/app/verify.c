/* GET /api/v1/verify/:code?sha256= — public: anyone holding a paper document of ytexa (signed
 * consultation minutes, a training certificate) checks it by the code printed on it. The code
 * says which document; each kind of document answers for its own codes. */
#include <string.h>

#include "ytexa/consult.h"
#include "ytexa/http.h"
#include "ytexa/training.h"

static int verify(struct yx_req *r)
{
    static int (*const kinds[])(struct yx_req *, const char *) = {yx_consult_verify, yx_training_verify};
    char code[12];
    const char *given = yx_query(r, "sha256");
    if (yx_verify_code_parse(r->params[0], code) != 0)
        return yx_fail(r, YX_ENOTFOUND, "Không có tài liệu với mã này / no document has this code.");
    if (given && strlen(given) != 64)
        return yx_fail_field(r, YX_EINVAL, "sha256", "sha256 is 64 hexadecimal digits.");
    for (size_t i = 0; i < sizeof kinds / sizeof kinds[0]; i++) {
        int rc = kinds[i](r, code);
        if (rc != YX_ENOTFOUND)
            return rc;
    }
    return yx_fail(r, YX_ENOTFOUND, "Không có tài liệu với mã này / no document has this code.");
}

const struct yx_route yx_verify_routes[] = {
    {"GET", "/api/v1/verify/:code", verify, YX_R_PUBLIC, NULL, NULL, 0, NULL},
    {NULL, NULL, NULL, 0, NULL, NULL, 0, NULL},
};
