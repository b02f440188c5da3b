package io.freshet.eventmodel.http;

import io.quarkus.runtime.annotations.RegisterForReflection;

/** The body of every whole-request error of Freshet's HTTP APIs: {@code {"error": {"code": ..., "message": ...}}}. */
@RegisterForReflection // written as a Response entity or a prepared body, unseen by Quarkus: native keeps it
public record ApiError(Detail error) {

    public record Detail(String code, String message) {
    }

    public static ApiError of(String code, String message) {
        return new ApiError(new Detail(code, message));
    }
}
