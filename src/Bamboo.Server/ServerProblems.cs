using System.Text.Json;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;

namespace Bamboo.Server;

/// <summary>
/// Every HTTP error of the server as RFC 7807 problem details, made here: 400 naming the field, 401, 403, 404, 405, 413,
/// and 500 without any detail of the exception (that is logged).
/// </summary>
internal static class ServerProblems
{
    /// <summary>400 for one bad field of the body or the query.</summary>
    public static ValidationProblem Field(string field, string problem) =>
        TypedResults.ValidationProblem(new Dictionary<string, string[]> { [field] = [problem] }, title: "One or more fields are invalid.");

    public static ProblemHttpResult NotFound(string detail) => TypedResults.Problem(detail, statusCode: StatusCodes.Status404NotFound);

    public static Task WriteAsync(IProblemDetailsService problems, HttpContext context, int status, string detail, IDictionary<string, string[]>? errors = null)
    {
        context.Response.StatusCode = status;
        ProblemDetails problem = errors is null ? new ProblemDetails() : new HttpValidationProblemDetails(errors) { Title = "One or more fields are invalid." };
        problem.Status = status;
        problem.Detail = detail;
        return problems.WriteAsync(new ProblemDetailsContext { HttpContext = context, ProblemDetails = problem }).AsTask();
    }

    /// <summary>
    /// The field a body that failed to bind names: the JSON path of the value the reader choked on ("flow_ids[0]"), or
    /// "body" when the body is not JSON at all.
    /// </summary>
    public static (string Field, string Problem) BodyField(BadHttpRequestException ex) =>
        ex.InnerException is JsonException json
            ? (string.IsNullOrEmpty(json.Path) || json.Path == "$" ? "body" : json.Path.TrimStart('$', '.'), Describe(json))
            : ("body", ex.StatusCode == StatusCodes.Status415UnsupportedMediaType ? "must be JSON (Content-Type: application/json)" : "is missing or unreadable");

    private static string Describe(JsonException json) =>
        json.InnerException is InvalidOperationException or FormatException || json.Message.Contains("could not be converted", StringComparison.Ordinal)
            ? "has the wrong type"
            : "is not valid JSON";
}
