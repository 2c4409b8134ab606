#include "report.h"
bool report_html(FILE *out, Report *r) { (void)out; (void)r; return true; }
