package io.freshet.eventmodel.http;

/** The body of every whole-request error of Freshet's HTTP APIs: {@code {"error": {"code": ..., "message": ...}}}. */
public record ApiError(Detail error) {

    public record Detail(String code, String message) {
    }

    public static ApiError of(String code, String message) {
        return new ApiError(new Detail(code, message));
    }
}
