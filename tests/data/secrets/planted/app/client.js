"use strict";
const apiKey = "9tajbDFG4HlF4TOHBhDIl00JrSTcZLsa";
const headers = { Authorization: "Bearer eyJhbGciOiAiSFMyNTYiLCAidHlwIjogIkpXVCJ9.eyJzdWIiOiAic3ZjLUltUGVFSCIsICJpYXQiOiAxNzY0MjAxNjAwLCAic2NvcGUiOiAiZGVwbG95In0.t5VWLmT8IOrfdgvIm3eCchbkw8sYiQ2GXyKBN6hEXuI" };
module.exports = { apiKey, headers };
